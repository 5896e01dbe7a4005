import { get, send } from './client';
import type { components } from './schema';

// The shapes are the server's own (src/api/schema.d.ts, generated from the
// OpenAPI document by make): a changed answer breaks this build, not a screen.
type Schemas = components['schemas'];

/** A client key; `key` (the full secret) only in the answers of create and rotate, once. */
export type ClientKey = Schemas['ClientKey'] & { key?: string };

export type KeyPage = Schemas['ListClientKeysResponse'];

const BASE = '/api/v1/client-keys';

export const listKeys = (page = 1, limit = 20) => get<KeyPage>(BASE, { page, limit });
export const createKey = (b: { domain: string; environment: 'prod' | 'test'; description?: string }) =>
  send<ClientKey>('POST', BASE, b);
export const setActive = (id: string, is_active: boolean) => send<ClientKey>('PATCH', `${BASE}/${id}`, { is_active });
export const rotateKey = (id: string) => send<ClientKey>('POST', `${BASE}/${id}/rotate`);
export const revokeKey = (id: string) => send<void>('DELETE', `${BASE}/${id}`);
export const verifyDomain = (id: string) => send<ClientKey>('POST', `${BASE}/${id}/verify-domain`);

/** Every key (the list is paginated; owners have at most a few dozen). */
export async function allKeys(): Promise<ClientKey[]> {
  const out: ClientKey[] = [];
  for (let page = 1; page <= 20; page++) {
    const p = await listKeys(page, 100);
    out.push(...p.keys);
    if (!p.pagination.has_more) break;
  }
  return out;
}
