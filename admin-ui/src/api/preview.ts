// The owner's preview key: a test key for the dashboard's own host, made
// by the dashboard and marked by its description. Its full key is known
// only when it is created or rotated; it is kept in memory for this page's
// life (a reload rotates it again: it is nobody else's key).
import { allKeys, createKey, rotateKey, type ClientKey } from './keys';

export const PREVIEW_DESCRIPTION = 'CarBot dashboard preview';
let plain: { id: string; key: string } | null = null;

export function isPreviewKey(k: ClientKey, host: string): boolean {
  return k.environment === 'test' && k.domain === host && k.description === PREVIEW_DESCRIPTION && k.status === 'active';
}

/** The preview key's id and full key, or null when there is none yet. */
export async function previewKey(host: string, create: boolean): Promise<{ id: string; key: string } | null> {
  const keys = await allKeys();
  const k = keys.find((x) => isPreviewKey(x, host));
  if (k && plain && plain.id === k.id) return plain;
  if (k) {
    const r = await rotateKey(k.id);
    return (plain = r.key ? { id: r.id, key: r.key } : null);
  }
  if (!create) return null;
  const n = await createKey({ domain: host, environment: 'test', description: PREVIEW_DESCRIPTION });
  return (plain = n.key ? { id: n.id, key: n.key } : null);
}
