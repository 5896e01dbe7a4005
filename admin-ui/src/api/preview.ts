// The knowledge preview runs the real widget on the owner's test key for
// the dashboard's own host (there is at most one live test key per host).
// Its full key is shown only when it is created or rotated, so the
// dashboard keeps it in memory for this page's life: a key made or rotated
// on the keys screen is remembered here; otherwise the owner chooses to
// create one, or to rotate the existing one (which changes it wherever it
// is embedded — it is a test key, but the screen says so).
import { allKeys, createKey, rotateKey, type ClientKey } from './keys';

const known = new Map<string, string>(); // key id -> full key

export function rememberKey(k: ClientKey): void {
  if (k.key && k.environment === 'test') known.set(k.id, k.key);
}

export function isPreviewKey(k: ClientKey, host: string): boolean {
  return k.environment === 'test' && k.domain === host && k.status === 'active';
}

export type PreviewState =
  | { kind: 'ready'; id: string; key: string }
  | { kind: 'none' } // no test key for this host: offer to create one
  | { kind: 'unknown'; id: string }; // one exists, its full key is not known here

export async function previewState(host: string, action: 'look' | 'create' | 'rotate'): Promise<PreviewState> {
  const k = (await allKeys()).find((x) => isPreviewKey(x, host));
  const full = k && known.get(k.id);
  if (k && full) return { kind: 'ready', id: k.id, key: full };
  if (k && action === 'rotate') {
    const r = await rotateKey(k.id);
    rememberKey(r);
    return r.key ? { kind: 'ready', id: r.id, key: r.key } : { kind: 'unknown', id: k.id };
  }
  if (k) return { kind: 'unknown', id: k.id };
  if (action !== 'create') return { kind: 'none' };
  const n = await createKey({ domain: host, environment: 'test', description: 'Test / preview' });
  rememberKey(n);
  return n.key ? { kind: 'ready', id: n.id, key: n.key } : { kind: 'none' };
}
