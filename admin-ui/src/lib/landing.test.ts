import { describe, expect, it } from 'vitest';
import { verifyReason } from '../pages/LandingDomain';
import { ApiError } from '../api/client';
import {
  contrast, contrastWarnings, emptyForm, formFromPage, hoursFromPage, hoursToPage, imprintMissing, pageBody, ratioText,
  subdomainProblem, suggestSubdomain, type LandingPage,
} from './landing';

describe('contrast (WCAG)', () => {
  it('black on white is 21:1, a colour on itself 1:1', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#1f4e79', '#1f4e79')).toBeCloseTo(1, 5);
  });
  it('matches known values and is symmetric', () => {
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2); // the classic AA grey
    expect(contrast('#ffffff', '#007bff')).toBeCloseTo(contrast('#007bff', '#ffffff'), 10);
    expect(contrast('#007BFF', '#ffffff')).toBeCloseTo(3.98, 2);
  });
  it('ratios are shown rounded down, never better than they are', () => {
    expect(ratioText(2.999)).toBe('2.9:1');
    expect(ratioText(4.5)).toBe('4.5:1');
  });
  it('warns when the secondary colour blends into the white page or into the primary one', () => {
    expect(contrastWarnings('#1f4e79', '#f5a623').map((w) => w.key)).toEqual(['landing.contrastSecondaryBg']);
    expect(contrastWarnings('#1f4e79', '#0f172a').map((w) => w.key)).toEqual(['landing.contrastPair']);
    expect(contrastWarnings('#ffffff', '#0f172a')).toEqual([]);
    expect(contrastWarnings('#1f4e79', '#fafafa').map((w) => w.key)).toEqual(['landing.contrastSecondaryBg']);
  });
  it('says nothing about colours that are not #rrggbb yet (the field shows that)', () => {
    expect(contrastWarnings('#12', '#ffffff')).toEqual([]);
  });
});

describe('subdomain rules (the landing plugin’s)', () => {
  it('accepts DNS labels of 3..63', () => {
    expect(subdomainProblem('test-workshop')).toBeNull();
    expect(subdomainProblem('a1b')).toBeNull();
    expect(subdomainProblem('a'.repeat(63))).toBeNull();
  });
  it('names the problem the server would name', () => {
    expect(subdomainProblem('ab')).toBe('too_short');
    expect(subdomainProblem('a'.repeat(64))).toBe('too_long');
    expect(subdomainProblem('-abc')).toBe('invalid');
    expect(subdomainProblem('abc-')).toBe('invalid');
    expect(subdomainProblem('ab_c')).toBe('invalid');
    expect(subdomainProblem('würzburg')).toBe('invalid');
    expect(subdomainProblem('www')).toBe('reserved');
    expect(subdomainProblem('Admin')).toBe('reserved');
  });
  it('suggests one from the business name', () => {
    expect(suggestSubdomain('Autohaus Müller & Söhne GmbH')).toBe('autohaus-mueller-soehne-gmbh');
    expect(suggestSubdomain('  Kfz-Straße 7 ')).toBe('kfz-strasse-7');
    expect(suggestSubdomain('Café Řeka')).toBe('cafe-reka');
    expect(subdomainProblem(suggestSubdomain('x'.repeat(50) + ' ' + 'y'.repeat(50)))).toBeNull();
  });
});

describe('the form and the page', () => {
  const form = {
    ...emptyForm('modern-minimalist'), subdomain: 'Test-Workshop', business_name: ' Test Auto Workshop ', business_description: 'Repairs',
    address: 'Hauptstraße 1, 10115 Berlin', lat: '52.5', lng: '13.4', keywords: 'Werkstatt, , TÜV ', primary_color: '#007BFF',
    services: [{ name: 'Ölwechsel', price: 'ab 89 €' }, { name: ' ', price: '1' }],
  };
  const weekly = hoursFromPage({ monday: { closed: false, ranges: [{ open: '08:00', close: '12:00' }, { open: '13:00', close: '18:00' }] }, sunday: { closed: true } });

  it('reads the stored hours (ranges, closed days, the one-range form)', () => {
    expect(weekly.monday).toEqual([{ open: '08:00', close: '12:00' }, { open: '13:00', close: '18:00' }]);
    expect(weekly.sunday).toEqual([]);
    expect(weekly.tuesday).toEqual([]);
    expect(hoursFromPage({ friday: { open: '09:00', close: '17:00' } }).friday).toEqual([{ open: '09:00', close: '17:00' }]);
  });
  it('writes hours as the plugin takes them: ranges, or "closed"', () => {
    const h = hoursToPage(weekly);
    expect(h.monday).toEqual([{ open: '08:00', close: '12:00' }, { open: '13:00', close: '18:00' }]);
    expect(h.sunday).toBe('closed');
    expect(Object.keys(h)).toHaveLength(7);
  });
  it('a create body: lower-cased subdomain, trimmed texts, empties left out, location as numbers', () => {
    const b = pageBody(form, weekly, 'create') as { subdomain: string; configuration: Record<string, unknown>; seo: Record<string, unknown> };
    expect(b.subdomain).toBe('test-workshop');
    expect(b.configuration.business_name).toBe('Test Auto Workshop');
    expect(b.configuration.imprint_url).toBeUndefined();
    const ci = b.configuration.contact_info as Record<string, unknown>;
    expect(ci.location).toEqual({ lat: 52.5, lng: 13.4 });
    expect(ci.phone).toBeUndefined();
    expect(b.configuration.services).toEqual([{ name: 'Ölwechsel', price: 'ab 89 €' }]);
    expect((b.configuration.theme as Record<string, unknown>).primary_color).toBe('#007bff');
    expect(b.seo.keywords).toEqual(['Werkstatt', 'TÜV']);
  });
  it('a PATCH body clears emptied fields with null and never sends the subdomain', () => {
    const b = pageBody({ ...form, lat: '' }, null, 'patch') as { subdomain?: string; configuration: Record<string, unknown> };
    expect(b.subdomain).toBeUndefined();
    expect(b.configuration.imprint_url).toBeNull();
    const ci = b.configuration.contact_info as Record<string, unknown>;
    expect(ci.location).toBeNull();
    expect(ci.phone).toBeNull();
    expect(ci.hours).toBeUndefined();
    expect(b.configuration.imprint).toEqual({ representative: null });
  });
  it('a page read back gives the same form', () => {
    const b = pageBody(form, weekly, 'create') as { configuration: Record<string, unknown>; seo: Record<string, unknown> };
    const page = {
      id: 'x', template_id: 'modern-minimalist', subdomain: 'test-workshop', custom_domain: null, ssl_enabled: false, is_published: false,
      published_at: null, created_at: '', updated_at: '', configuration: { ...b.configuration, seo: b.seo },
      urls: { canonical: '', subdomain: '', local: '', preview: '' },
    } satisfies LandingPage;
    const back = formFromPage(page);
    expect(back.business_name).toBe('Test Auto Workshop');
    expect(back.keywords).toBe('Werkstatt, TÜV');
    expect(back.lat).toBe('52.5');
    expect(back.primary_color).toBe('#007bff');
  });
  it('the Impressum: what is missing, nothing when the owner links their own', () => {
    expect(imprintMissing(form)).toEqual(['representative', 'email']);
    expect(imprintMissing({ ...form, imprint_representative: 'Max Muster', email: 'a@b.de' })).toBeNull();
    expect(imprintMissing({ ...emptyForm(), imprint_url: 'https://example.de/impressum' })).toBeNull();
  });
});

describe('domain check failures', () => {
  it('the reason is the 422 detail’s issue, else the error code', () => {
    expect(verifyReason(new ApiError(422, 'verification_failed', 'x', [{ issue: 'token_not_found' }]))).toBe('token_not_found');
    expect(verifyReason(new ApiError(409, 'verification_expired', 'x'))).toBe('verification_expired');
    expect(verifyReason(new ApiError(422, 'verification_failed', 'x', [{ issue: 'something_new' }]))).toBeNull();
    expect(verifyReason(new Error('x'))).toBeNull();
  });
});
