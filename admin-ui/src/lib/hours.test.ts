import { describe, expect, it } from 'vitest';
import { emptyHours } from '../api/knowledge';
import { copyToWeekdays, nextRange, sortDay, validateDay, validateHours } from './hours';

describe('the weekly hours editor rules', () => {
  it('accepts a day with a lunch break', () => {
    expect(validateDay('monday', [{ open: '08:00', close: '12:30' }, { open: '13:30', close: '18:00' }])).toEqual([]);
  });
  it('accepts a closed day and 24:00 as closing time', () => {
    expect(validateDay('sunday', [])).toEqual([]);
    expect(validateDay('friday', [{ open: '20:00', close: '24:00' }])).toEqual([]);
  });
  it('refuses malformed times', () => {
    const e = validateDay('monday', [{ open: '8:00', close: '25:00' }]);
    expect(e.map((x) => x.path)).toEqual(['monday[0].open', 'monday[0].close']);
    expect(e.every((x) => x.key === 'validation.time')).toBe(true);
  });
  it('refuses opening at or after closing', () => {
    expect(validateDay('tuesday', [{ open: '18:00', close: '08:00' }])).toEqual([{ path: 'tuesday[0]', key: 'validation.order' }]);
    expect(validateDay('tuesday', [{ open: '09:00', close: '09:00' }])[0]?.key).toBe('validation.order');
  });
  it('refuses overlapping ranges, in any order', () => {
    const e = validateDay('wednesday', [{ open: '12:00', close: '18:00' }, { open: '08:00', close: '12:30' }]);
    expect(e).toEqual([{ path: 'wednesday[0]', key: 'validation.overlap' }]);
  });
  it('lets ranges touch (no break)', () => {
    expect(validateDay('monday', [{ open: '08:00', close: '12:00' }, { open: '12:00', close: '16:00' }])).toEqual([]);
  });
  it('checks holiday dates', () => {
    const h = emptyHours();
    h.holidays = [{ date: '2026-12-25', name: 'Weihnachten' }, { date: '25.12.2026', name: 'x' }];
    expect(validateHours(h)).toEqual([{ path: 'holidays[1].date', key: 'validation.date' }]);
  });
  it('suggests the next range after a break of an hour', () => {
    expect(nextRange([])).toEqual({ open: '08:00', close: '18:00' });
    expect(nextRange([{ open: '08:00', close: '12:00' }])).toEqual({ open: '13:00', close: '17:00' });
    expect(nextRange([{ open: '08:00', close: '22:30' }])).toEqual({ open: '23:00', close: '24:00' });
  });
  it('sorts ranges by opening time', () => {
    expect(sortDay([{ open: '14:00', close: '18:00' }, { open: '08:00', close: '12:00' }]).map((r) => r.open)).toEqual(['08:00', '14:00']);
  });
  it('copies Monday onto the working days only, as copies', () => {
    const h = emptyHours();
    h.weekly.monday = [{ open: '07:30', close: '17:00' }];
    h.weekly.saturday = [{ open: '09:00', close: '13:00' }];
    const c = copyToWeekdays(h, 'monday');
    expect(c.weekly.friday).toEqual([{ open: '07:30', close: '17:00' }]);
    expect(c.weekly.saturday).toEqual([{ open: '09:00', close: '13:00' }]);
    expect(c.weekly.sunday).toEqual([]);
    expect(c.weekly.friday).not.toBe(c.weekly.monday);
    expect(h.weekly.friday).toEqual([]);
  });
});
