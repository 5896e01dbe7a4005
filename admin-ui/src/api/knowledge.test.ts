import { describe, expect, it } from 'vitest';
import { fromKeyKnowledge, normalise, parsePrice, priceText, toKeyKnowledge } from './knowledge';

describe('knowledge on the per-key store', () => {
  it('writes prices as text the bot quotes', () => {
    expect(priceText({ name: 'a', price_kind: 'fixed', price: 39 })).toBe('39 €');
    expect(priceText({ name: 'a', price_kind: 'from', price: 129.5 })).toBe('ab 129,50 €');
    expect(priceText({ name: 'a', price_kind: 'on_request' })).toBe('auf Anfrage');
  });
  it('reads them back', () => {
    expect(parsePrice('39 €')).toEqual({ price_kind: 'fixed', price: 39 });
    expect(parsePrice('ab 129,50 €')).toEqual({ price_kind: 'from', price: 129.5 });
    expect(parsePrice('from 20')).toEqual({ price_kind: 'from', price: 20 });
    expect(parsePrice('nach Aufwand')).toEqual({ price_kind: 'on_request' });
  });
  it('round-trips services and FAQ, keeping what the store lacks', () => {
    const kb = normalise({
      services: [{ name: 'Reifenwechsel', price_kind: 'fixed', price: 49, note: 'pro Satz' }, { name: 'Karosserie', price_kind: 'on_request' }],
      faq: [{ question: { de: 'Karte?' }, answer: { de: 'Ja.' } }, { question: { en: 'Card?' }, answer: { en: 'Yes.' } }, { question: {}, answer: {} }],
      greeting: { de: 'Hallo' },
    });
    const k = toKeyKnowledge(kb);
    expect(k.prices).toEqual([{ service: 'Reifenwechsel', price: '49 €', note: 'pro Satz' }, { service: 'Karosserie', price: 'auf Anfrage' }]);
    expect(k.faq).toEqual([{ q: 'Karte?', a: 'Ja.' }, { q: 'Card?', a: 'Yes.' }]);
    const back = fromKeyKnowledge({ ...k, updated_at: null }, kb);
    expect(back.services[0]).toEqual({ name: 'Reifenwechsel', price_kind: 'fixed', price: 49, note: 'pro Satz' });
    expect(back.services[1]).toEqual({ name: 'Karosserie', price_kind: 'on_request' });
    expect(back.greeting).toEqual({ de: 'Hallo' });
  });
  it('normalises a partial knowledge base: every weekday present', () => {
    const kb = normalise({ hours: { weekly: { monday: [{ open: '08:00', close: '17:00' }] } } as never });
    expect(Object.keys(kb.hours.weekly)).toHaveLength(7);
    expect(kb.hours.weekly.sunday).toEqual([]);
    expect(kb.version).toBe(0);
  });
});
