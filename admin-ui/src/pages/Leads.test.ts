import { describe, expect, it } from 'vitest';
import { contactHref } from './Leads';

describe('lead contact links', () => {
  it('phone numbers become tel: with digits only', () => {
    expect(contactHref('0171 234 5678')).toBe('tel:01712345678');
    expect(contactHref('+49 (30) 123-456')).toBe('tel:+4930123456');
  });
  it('e-mail addresses become mailto:', () => {
    expect(contactHref('erika@example.de')).toBe('mailto:erika@example.de');
  });
  it('anything else is no link', () => {
    expect(contactHref('morgen früh')).toBeNull();
    expect(contactHref('12')).toBeNull();
    expect(contactHref(null)).toBeNull();
    expect(contactHref('javascript:alert(1)')).toBeNull();
  });
});

describe('preferred day', () => {
  const t = (k: string) => ({ 'leads.days.tomorrow': 'morgen', 'leads.days.thursday': 'Donnerstag' })[k] ?? k;
  it('words are translated, dates formatted, anything else kept', async () => {
    const { dayText } = await import('./Leads');
    expect(dayText('tomorrow', t, 'de')).toBe('morgen');
    expect(dayText('thursday', t, 'de')).toBe('Donnerstag');
    expect(dayText('2026-08-14', t, 'de')).toMatch(/14\. August 2026/);
    expect(dayText('irgendwann', t, 'de')).toBe('irgendwann');
    expect(dayText('day after tomorrow', (k) => k, 'en')).toBe('leads.days.day_after_tomorrow');
    expect(dayText(null, t, 'de')).toBeNull();
  });
});
