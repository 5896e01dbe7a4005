import { ApiError } from '../api/client';

// An API error as the owner reads it: the screen's own words for known codes
// (account.errors.CODE), else the server's message with its details.
export function apiMessage(e: unknown, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (!(e instanceof ApiError)) return t('common.error');
  const k = `account.errors.${e.code}`;
  const s = t(k);
  if (s !== k) return s;
  const d = e.details.map((x) => [x.field, x.message].filter(Boolean).join(': ')).join('; ');
  return `${e.message}${d ? ` (${d})` : ''}`;
}
