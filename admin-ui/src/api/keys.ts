import { get, send } from './client';

export interface ClientKey {
  id: string;
  environment: 'prod' | 'test';
  domain: string;
  masked_key: string;
  status: 'active' | 'inactive' | 'revoked' | 'expired' | string;
  is_active: boolean;
  domain_verified: boolean;
  verification_token: string;
  verification_url: string;
  usage_limit: number;
  current_usage: number;
  usage: {
    period_start: string;
    period_end: string;
    conversations: { used: number; limit: number };
    messages: { used: number; limit: number };
  };
  last_used_at: string | null;
  description: string | null;
  created_at: string;
  revoked_at: string | null;
  /** only in the answers of create and rotate, once */
  key?: string;
}

export interface KeyPage {
  keys: ClientKey[];
  pagination: { page: number; limit: number; total: number; has_more: boolean };
}

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
