// Pure billing logic for the billing and account screens: countdowns, what
// a downgrade would switch off (the billing plugin's rule, switchoff.c:
// the newest live client keys beyond the plan's client_keys are switched
// off, the newest published landing pages beyond landing_pages
// unpublished), usage against limits, plan order.
import type { Limits, Plan, Subscription } from '../api/account';

const DAY = 86400000;

/** Whole days left until `end` (rounded up: 1.2 days left is "2 days"); 0 when over, null without an end. */
export function daysLeft(end: string | null | undefined, now: Date): number | null {
  if (!end) return null;
  const t = Date.parse(end);
  if (Number.isNaN(t)) return null;
  const ms = t - now.getTime();
  return ms <= 0 ? 0 : Math.ceil(ms / DAY);
}

export type Countdown =
  | { kind: 'trial'; days: number; end: string }
  | { kind: 'grace'; days: number; end: string }
  | { kind: 'ends'; days: number; end: string }
  | null;

/** The one countdown the billing screen shows: grace (a payment failed) before trial before a cancellation at period end. */
export function countdown(s: Pick<Subscription, 'status' | 'trial_end' | 'grace_period_end' | 'cancel_at_period_end' | 'current_period_end'>, now: Date): Countdown {
  const g = daysLeft(s.grace_period_end, now);
  if (s.grace_period_end && g !== null) return { kind: 'grace', days: g, end: s.grace_period_end };
  const tr = daysLeft(s.trial_end, now);
  if (s.status === 'trialing' && s.trial_end && tr !== null) return { kind: 'trial', days: tr, end: s.trial_end };
  const e = daysLeft(s.current_period_end, now);
  if (s.cancel_at_period_end && s.current_period_end && e !== null) return { kind: 'ends', days: e, end: s.current_period_end };
  return null;
}

export const PLAN_ORDER = ['basic', 'premium', 'enterprise'];

/** -1 a downgrade, 0 the same plan, 1 an upgrade. Unknown plans sort after the known ones. */
export function direction(from: string, to: string): -1 | 0 | 1 {
  const r = (p: string) => {
    const i = PLAN_ORDER.indexOf(p);
    return i < 0 ? PLAN_ORDER.length : i;
  };
  const d = r(to) - r(from);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

export interface KeyLike {
  id: string;
  domain: string;
  environment?: string;
  is_active: boolean;
  status?: string;
  revoked_at?: string | null;
  created_at: string;
}
export interface PageLike {
  id: string;
  subdomain: string;
  is_published: boolean;
  created_at: string;
}

export interface Effects {
  keys: KeyLike[];
  pages: PageLike[];
}

/**
 * Beyond the limit, newest first (null limit: nothing). `live` is oldest
 * first by the server's full-precision order; the API's created_at has
 * whole seconds, so the sort (stable) only moves rows of different seconds
 * and keeps the server's order within one.
 */
function beyond<T extends { created_at: string }>(live: T[], limit: number | null): T[] {
  if (limit === null) return [];
  const t = (x: T) => Date.parse(x.created_at) || 0;
  return [...live].sort((a, b) => t(a) - t(b)).slice(Math.max(0, limit)).reverse();
}

/**
 * What moving to a plan with `to` limits would switch off, given today's
 * keys (as GET /client-keys lists them: newest first) and pages (as GET
 * /landing-pages lists them: oldest first).
 */
export function downgradeEffects(to: Pick<Limits, 'client_keys' | 'landing_pages'>, keys: KeyLike[], pages: PageLike[] | null): Effects {
  const liveKeys = keys.filter((k) => k.is_active && !k.revoked_at && k.status !== 'revoked').reverse();
  const published = (pages ?? []).filter((p) => p.is_published);
  return { keys: beyond(liveKeys, to.client_keys), pages: beyond(published, to.landing_pages) };
}

export interface UsageRow {
  what: 'client_keys' | 'landing_pages' | 'conversations';
  used: number;
  limit: number | null;
  /** 0..100 for a bar; null when unlimited */
  percent: number | null;
  over: boolean;
}

function row(what: UsageRow['what'], used: number, limit: number | null): UsageRow {
  const percent = limit === null ? null : limit <= 0 ? (used > 0 ? 100 : 0) : Math.min(100, Math.round((used / limit) * 100));
  return { what, used, limit, percent, over: limit !== null && used > limit };
}

/** Usage against a plan: live keys, published pages (when known), this period's conversations of the busiest key (the limit is per key). */
export function usage(l: Limits, keys: (KeyLike & { usage?: { conversations: { used: number } } })[], pages: PageLike[] | null): UsageRow[] {
  const live = keys.filter((k) => k.is_active && !k.revoked_at && k.status !== 'revoked');
  const out = [row('client_keys', live.length, l.client_keys)];
  if (pages !== null) out.push(row('landing_pages', pages.filter((p) => p.is_published).length, l.landing_pages));
  const busiest = keys.reduce((m, k) => Math.max(m, k.usage?.conversations.used ?? 0), 0);
  out.push(row('conversations', busiest, l.conversations));
  return out;
}

/** Amount in cents as money in the locale ("49,00 €"). */
export function money(cents: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

export function priceOf(p: Plan, interval: 'month' | 'year'): number | null {
  return p.prices.find((x) => x.interval === interval)?.amount ?? null;
}

/** Retention setting: null (keep, the default) or 30..1095 days. */
export function retentionOk(v: number | null): boolean {
  return v === null || (Number.isInteger(v) && v >= 30 && v <= 1095);
}
