import type { Day, Hours, Range } from '../api/knowledge';
import { DAYS } from '../api/knowledge';

// The weekly editor's rules, the same as the chat plugin's: per day 0..4
// ranges of HH:MM (00:00..24:00), open < close, sorted, not overlapping;
// a break is the gap between two ranges.

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

export type HoursError = { path: string; key: 'validation.time' | 'validation.order' | 'validation.overlap' | 'validation.date' };

export function validateDay(day: Day, ranges: Range[]): HoursError[] {
  const errs: HoursError[] = [];
  ranges.forEach((r, i) => {
    if (!TIME.test(r.open)) errs.push({ path: `${day}[${i}].open`, key: 'validation.time' });
    if (!TIME.test(r.close)) errs.push({ path: `${day}[${i}].close`, key: 'validation.time' });
    if (TIME.test(r.open) && TIME.test(r.close) && minutes(r.open) >= minutes(r.close))
      errs.push({ path: `${day}[${i}]`, key: 'validation.order' });
  });
  const sorted = ranges
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => TIME.test(r.open) && TIME.test(r.close))
    .sort((a, b) => minutes(a.r.open) - minutes(b.r.open));
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1];
    const cur = sorted[k];
    if (prev && cur && minutes(cur.r.open) < minutes(prev.r.close)) errs.push({ path: `${day}[${cur.i}]`, key: 'validation.overlap' });
  }
  return errs;
}

export function validateHours(h: Hours): HoursError[] {
  const errs = DAYS.flatMap((d) => validateDay(d, h.weekly[d]));
  h.holidays.forEach((x, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(x.date) || Number.isNaN(Date.parse(x.date)))
      errs.push({ path: `holidays[${i}].date`, key: 'validation.date' });
  });
  return errs;
}

/** The day's ranges sorted by opening time (what is stored). */
export function sortDay(ranges: Range[]): Range[] {
  return [...ranges].sort((a, b) => minutes(a.open) - minutes(b.open));
}

/** A new range after the last one: a break of an hour, then up to four hours. */
export function nextRange(ranges: Range[]): Range {
  const last = sortDay(ranges).at(-1);
  if (!last) return { open: '08:00', close: '18:00' };
  const start = Math.min(minutes(last.close) + 60, 23 * 60);
  const end = Math.min(start + 240, 24 * 60);
  const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return { open: hm(start), close: hm(end) };
}

/** Copies one day's ranges onto the working days (Mon–Fri). */
export function copyToWeekdays(h: Hours, from: Day): Hours {
  const weekly = { ...h.weekly };
  for (const d of DAYS.slice(0, 5)) weekly[d] = h.weekly[from].map((r) => ({ ...r }));
  return { ...h, weekly };
}
