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
