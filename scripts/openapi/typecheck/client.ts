// The way the dashboard uses admin-ui/src/api/schema.d.ts, type-checked by
// t/openapi.t (tsc --noEmit): a response shape that changes in an
// openapi.json breaks this compile, not an owner's screen.
import type { paths, components } from '../../../admin-ui/src/api/schema';

type Schemas = components['schemas'];
type Json<P extends keyof paths, M extends keyof paths[P], S extends number> =
  paths[P][M] extends { responses: { [K in S]: { content: { 'application/json': infer B } } } } ? B : never;

export async function api<T>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('Authorization', `Bearer ${init.token}`);
  if (init.body) headers.set('Content-Type', 'application/json');
  const res = await fetch(path, { ...init, headers });
  const body = await res.json();
  if (!res.ok) throw (body as Schemas['Error']).error;
  return body as T;
}

export async function keysPage(token: string): Promise<string[]> {
  const list = await api<Json<'/api/v1/client-keys', 'get', 200>>('/api/v1/client-keys', { token });
  const { page, limit, total, has_more } = list.pagination;
  return list.keys.map((k) => `${k.domain} ${k.is_active} ${k.current_usage ?? 0}/${k.usage_limit ?? '∞'} ${page}/${limit}/${total}/${has_more}`);
}

export async function register(email: string, password: string): Promise<string> {
  const r = await api<Json<'/api/v1/auth/register', 'post', 201>>('/api/v1/auth/register', {
    method: 'POST', body: JSON.stringify({ email, password } satisfies Schemas['RegisterRequest']) });
  return `${r.user.email} ${r.tokens.access_token} ${r.tokens.expires_in + 1}`;
}

export function analytics(a: Schemas['KeyAnalyticsResponse']): number {
  return a.usage_stats.current_period.conversations + a.top_intents.length + a.hourly_usage.length;
}

export function chat(c: Schemas['WidgetChatResponse'], w: Schemas['WidgetConfig']): string {
  return `${c.response} ${c.conversation_id} ${w.theme ?? 'auto'}`;
}
