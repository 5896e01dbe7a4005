import { describe, expect, it } from 'vitest';
import { countdown, daysLeft, direction, downgradeEffects, money, retentionOk, usage } from './billing';

const now = new Date('2026-12-04T12:00:00Z');
const key = (id: string, created_at: string, over: Record<string, unknown> = {}) => ({
  id, domain: id + '.de', is_active: true, revoked_at: null, created_at, ...over,
});
const page = (id: string, created_at: string, is_published = true) => ({ id, subdomain: id, is_published, created_at });
const limits = { api_requests_per_15min: 100, conversations: 1000, messages: 10000, client_keys: 3, landing_pages: 0, custom_domains: 0 };

describe('daysLeft', () => {
  it('rounds part days up and is 0 once over', () => {
    expect(daysLeft('2026-12-18T12:00:00Z', now)).toBe(14);
    expect(daysLeft('2026-12-04T13:00:00Z', now)).toBe(1);
    expect(daysLeft('2026-12-04T12:00:00Z', now)).toBe(0);
    expect(daysLeft('2026-12-01T00:00:00Z', now)).toBe(0);
  });
  it('is null without a date or for garbage', () => {
    expect(daysLeft(null, now)).toBeNull();
    expect(daysLeft(undefined, now)).toBeNull();
    expect(daysLeft('soon', now)).toBeNull();
  });
});

describe('countdown', () => {
  const base = { status: 'active', trial_end: null, grace_period_end: null, cancel_at_period_end: false, current_period_end: '2027-01-04T12:00:00Z' };
  it('shows the trial while trialing', () => {
    expect(countdown({ ...base, status: 'trialing', trial_end: '2026-12-11T12:00:00Z' }, now)).toEqual({ kind: 'trial', days: 7, end: '2026-12-11T12:00:00Z' });
  });
  it('a trial end of an active subscription is no countdown', () => {
    expect(countdown({ ...base, trial_end: '2026-12-11T12:00:00Z' }, now)).toBeNull();
  });
  it('the grace period wins over everything', () => {
    const c = countdown({ ...base, status: 'past_due', trial_end: '2026-12-11T12:00:00Z', grace_period_end: '2026-12-06T00:00:00Z', cancel_at_period_end: true }, now);
    expect(c).toEqual({ kind: 'grace', days: 2, end: '2026-12-06T00:00:00Z' });
  });
  it('a cancellation at period end counts down to it', () => {
    expect(countdown({ ...base, cancel_at_period_end: true }, now)).toEqual({ kind: 'ends', days: 31, end: '2027-01-04T12:00:00Z' });
  });
  it('nothing for a plain active plan', () => {
    expect(countdown(base, now)).toBeNull();
  });
});

describe('direction', () => {
  it('orders basic < premium < enterprise', () => {
    expect(direction('premium', 'basic')).toBe(-1);
    expect(direction('basic', 'premium')).toBe(1);
    expect(direction('enterprise', 'premium')).toBe(-1);
    expect(direction('premium', 'premium')).toBe(0);
  });
});

describe('downgradeEffects', () => {
  const keys = [
    key('a', '2026-01-01T00:00:00Z'),
    key('e', '2026-05-01T00:00:00Z'),
    key('b', '2026-02-01T00:00:00Z'),
    key('off', '2026-06-01T00:00:00Z', { is_active: false }),
    key('gone', '2026-07-01T00:00:00Z', { revoked_at: '2026-07-02T00:00:00Z', is_active: false }),
    key('c', '2026-03-01T00:00:00Z'),
    key('d', '2026-04-01T00:00:00Z'),
  ];
  it('switches off the newest live keys beyond the limit, newest first', () => {
    const e = downgradeEffects(limits, keys, []);
    expect(e.keys.map((k) => k.id)).toEqual(['e', 'd']);
  });
  it('keys already off or revoked do not count', () => {
    expect(downgradeEffects({ client_keys: 5, landing_pages: 0 }, keys, []).keys).toEqual([]);
  });
  it('unpublishes every published page when the plan allows none', () => {
    const pages = [page('shop', '2026-01-01T00:00:00Z'), page('draft', '2026-02-01T00:00:00Z', false), page('zwei', '2026-03-01T00:00:00Z')];
    expect(downgradeEffects(limits, [], pages).pages.map((p) => p.id)).toEqual(['zwei', 'shop']);
    expect(downgradeEffects({ client_keys: 3, landing_pages: 1 }, [], pages).pages.map((p) => p.id)).toEqual(['zwei']);
  });
  it('unlimited plans switch nothing off; unknown pages are none', () => {
    expect(downgradeEffects({ client_keys: null, landing_pages: null }, keys, [page('p', '2026-01-01T00:00:00Z')])).toEqual({ keys: [], pages: [] });
    expect(downgradeEffects(limits, [], null).pages).toEqual([]);
  });
  it('within one second the lists\' order decides (keys newest first, pages oldest first)', () => {
    const same = [key('k2', '2026-01-01T00:00:00Z'), key('k1', '2026-01-01T00:00:00Z'), key('k0', '2026-01-01T00:00:00Z')];
    expect(downgradeEffects({ client_keys: 1, landing_pages: 0 }, same, []).keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    const pages = [page('p0', '2026-01-01T00:00:00Z'), page('p1', '2026-01-01T00:00:00Z')];
    expect(downgradeEffects({ client_keys: 1, landing_pages: 1 }, [], pages).pages.map((p) => p.id)).toEqual(['p1']);
  });
});

describe('usage', () => {
  it('counts live keys, published pages and the busiest key', () => {
    const ks = [
      { ...key('a', '2026-01-01T00:00:00Z'), usage: { conversations: { used: 40 } } },
      { ...key('b', '2026-01-02T00:00:00Z', { is_active: false }), usage: { conversations: { used: 900 } } },
    ];
    const rows = usage(limits, ks, [page('p', '2026-01-01T00:00:00Z'), page('q', '2026-01-01T00:00:00Z', false)]);
    expect(rows).toEqual([
      { what: 'client_keys', used: 1, limit: 3, percent: 33, over: false },
      { what: 'landing_pages', used: 1, limit: 0, percent: 100, over: true },
      { what: 'conversations', used: 900, limit: 1000, percent: 90, over: false },
    ]);
  });
  it('unlimited has no bar; no landing plugin, no pages row', () => {
    const rows = usage({ ...limits, client_keys: null }, [], null);
    expect(rows.map((r) => r.what)).toEqual(['client_keys', 'conversations']);
    expect(rows[0]).toEqual({ what: 'client_keys', used: 0, limit: null, percent: null, over: false });
  });
});

describe('money and retention', () => {
  it('formats cents per locale', () => {
    expect(money(4900, 'eur', 'de-DE')).toMatch(/^49,00\s€$/);
    expect(money(4900, 'EUR', 'en-GB')).toBe('€49.00');
  });
  it('retention is off or 30..1095 whole days', () => {
    expect(retentionOk(null)).toBe(true);
    expect(retentionOk(30)).toBe(true);
    expect(retentionOk(1095)).toBe(true);
    expect(retentionOk(29)).toBe(false);
    expect(retentionOk(1096)).toBe(false);
    expect(retentionOk(30.5)).toBe(false);
  });
});
