import { describe, expect, it } from 'vitest';
import { emptyHours } from '../api/knowledge';
import type { Analytics, Conversation } from '../api/chat';
import { openNow, perDay, sumHourly, topIntents } from './overview';

const conv = (started_at: string) => ({ started_at }) as Conversation;
const an = (hours: [string, number][], intents: [string, number][]) =>
  ({ hourly_usage: hours.map(([hour, conversations]) => ({ hour, conversations })), top_intents: intents.map(([intent, count]) => ({ intent, count, percentage: 0 })) }) as Analytics;

describe('overview figures', () => {
  it('counts conversations per Berlin day, zeros included', () => {
    const now = new Date('2026-12-04T10:00:00Z');
    const d = perDay([conv('2026-12-04T08:00:00Z'), conv('2026-12-03T23:30:00Z'), conv('2026-12-03T12:00:00Z'), conv('2026-01-01T00:00:00Z')], now, 3);
    expect(d).toEqual([
      { day: '2026-12-02', conversations: 0 },
      { day: '2026-12-03', conversations: 1 },
      { day: '2026-12-04', conversations: 2 }, // 23:30 UTC is already the 4th in Berlin
    ]);
  });
  it('adds up hours and intents of several keys', () => {
    const a = an([['2026-12-04T09:00:00Z', 1], ['2026-12-04T10:00:00Z', 2]], [['price', 3], ['hours', 1]]);
    const b = an([['2026-12-04T10:00:00Z', 5]], [['hours', 4]]);
    expect(sumHourly([a, b])).toEqual([{ hour: '2026-12-04T09:00:00Z', conversations: 1 }, { hour: '2026-12-04T10:00:00Z', conversations: 7 }]);
    expect(topIntents([a, b])).toEqual([{ intent: 'hours', count: 5 }, { intent: 'price', count: 3 }]);
  });
  it('open now: ranges with breaks, holidays, no hours', () => {
    const h = emptyHours();
    expect(openNow(h, new Date())).toBeNull();
    h.weekly.friday = [{ open: '08:00', close: '12:00' }, { open: '13:00', close: '17:00' }];
    expect(openNow(h, new Date('2026-12-04T08:30:00Z'))).toBe(true); // Fri 09:30 Berlin
    expect(openNow(h, new Date('2026-12-04T11:30:00Z'))).toBe(false); // 12:30, the break
    expect(openNow(h, new Date('2026-12-04T16:30:00Z'))).toBe(false); // 17:30
    h.holidays = [{ date: '2026-12-04', name: 'x' }];
    expect(openNow(h, new Date('2026-12-04T08:30:00Z'))).toBe(false);
  });
});
