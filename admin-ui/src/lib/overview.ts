import type { Analytics, Conversation } from '../api/chat';
import type { Hours } from '../api/knowledge';
import { DAYS } from '../api/knowledge';
import { minutes } from './hours';

/** Conversations per calendar day (in tz) for the last n days, oldest first, zeros included. */
export function perDay(convs: Conversation[], now: Date, n = 14, tz = 'Europe/Berlin'): { day: string; conversations: number }[] {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
  const out: { day: string; conversations: number }[] = [];
  const idx = new Map<string, number>();
  for (let i = n - 1; i >= 0; i--) {
    const d = fmt.format(new Date(now.getTime() - i * 86400000));
    if (!idx.has(d)) {
      idx.set(d, out.length);
      out.push({ day: d, conversations: 0 });
    }
  }
  for (const c of convs) {
    const i = idx.get(fmt.format(new Date(c.started_at)));
    const row = i === undefined ? undefined : out[i];
    if (row) row.conversations++;
  }
  return out;
}

/** The hourly series of several keys added up. */
export function sumHourly(all: Analytics[]): { hour: string; conversations: number }[] {
  const m = new Map<string, number>();
  for (const a of all) for (const h of a.hourly_usage) m.set(h.hour, (m.get(h.hour) ?? 0) + h.conversations);
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([hour, conversations]) => ({ hour, conversations }));
}

/** Top intents over several keys by count, most first. */
export function topIntents(all: Analytics[], n = 6): { intent: string; count: number }[] {
  const m = new Map<string, number>();
  for (const a of all) for (const t of a.top_intents) m.set(t.intent, (m.get(t.intent) ?? 0) + t.count);
  return [...m.entries()].map(([intent, count]) => ({ intent, count })).sort((a, b) => b.count - a.count || a.intent.localeCompare(b.intent)).slice(0, n);
}

/** Open now by the weekly hours (holidays closed) at `now` in tz; null when no hours are set. */
export function openNow(h: Hours | null, now: Date, tz = 'Europe/Berlin'): boolean | null {
  if (!h || DAYS.every((d) => h.weekly[d].length === 0)) return null;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  if (h.holidays.some((x) => x.date === date)) return false;
  if (h.closures.some((c) => c.from <= date && date <= c.to && !c.hours)) return false;
  const day = get('weekday').toLowerCase() as (typeof DAYS)[number];
  const m = minutes(`${get('hour')}:${get('minute')}`);
  const special = h.closures.find((c) => c.from <= date && date <= c.to && c.hours);
  const ranges = special?.hours ?? h.weekly[day] ?? [];
  return ranges.some((r) => minutes(r.open) <= m && m < minutes(r.close));
}
