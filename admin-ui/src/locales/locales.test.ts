import { describe, expect, it } from 'vitest';
import { initialLang } from '../i18n';
import de from './de';
import en from './en';

function keys(o: object, p = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? keys(v as object, p + k + '.') : [p + k]));
}

describe('languages', () => {
  it('German and English have the same keys, none empty', () => {
    expect(keys(de).sort()).toEqual(keys(en).sort());
    for (const k of keys(de)) expect(k.split('.').reduce((o: unknown, x) => (o as Record<string, unknown>)[x], de)).not.toBe('');
  });
  it('the browser language decides unless one was chosen', () => {
    expect(initialLang(null, ['en-US', 'de'])).toBe('en');
    expect(initialLang(null, ['fr-FR', 'de-AT'])).toBe('de');
    expect(initialLang(null, ['fr'])).toBe('de');
    expect(initialLang('en', ['de-DE'])).toBe('en');
    expect(initialLang('xx', ['en'])).toBe('en');
  });
});
