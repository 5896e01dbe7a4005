import { describe, expect, it } from 'vitest';
import { apiFieldErrors, keySchema, loginSchema, registerSchema } from './schemas';

describe('form schemas', () => {
  it('login needs an e-mail and a password', () => {
    const r = loginSchema.safeParse({ email: 'nope', password: '', remember: false });
    expect(r.success).toBe(false);
    const msgs = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}:${i.message}`);
    expect(msgs).toEqual(['email:validation.email', 'password:validation.required']);
    expect(loginSchema.safeParse({ email: ' a@b.de ', password: 'x', remember: true }).data?.email).toBe('a@b.de');
  });
  it('register enforces the server password length 8..72', () => {
    const base = { email: 'a@b.de', firstName: '', lastName: '', companyName: '' };
    expect(registerSchema.safeParse({ ...base, password: '1234567' }).success).toBe(false);
    expect(registerSchema.safeParse({ ...base, password: '12345678' }).success).toBe(true);
    expect(registerSchema.safeParse({ ...base, password: 'x'.repeat(73) }).success).toBe(false);
  });
  it('key domains: host names, IDN, localhost; no scheme, path or spaces', () => {
    const ok = (d: string) => keySchema.safeParse({ domain: d, environment: 'prod', description: '' }).success;
    expect(ok('werkstatt-beispiel.de')).toBe(true);
    expect(ok('Autohaus-Müller.de')).toBe(true);
    expect(ok('shop.werkstatt.co.uk')).toBe(true);
    expect(ok('localhost')).toBe(true);
    expect(ok('http://werkstatt.de')).toBe(false);
    expect(ok('werkstatt.de/kontakt')).toBe(false);
    expect(ok('bad domain.de')).toBe(false);
    expect(ok('-start.de')).toBe(false);
    expect(ok('')).toBe(false);
    expect(keySchema.parse({ domain: ' WERKSTATT.de ', environment: 'test', description: '' }).domain).toBe('werkstatt.de');
  });
  it('maps API details onto form fields, snake_case to camelCase', () => {
    const m = apiFieldErrors(
      [
        { field: 'email', issue: 'invalid', message: 'bad email' },
        { field: 'first_name', issue: 'too_long', message: 'long' },
        { field: 'other', issue: 'x' },
        { issue: 'no field' },
      ],
      ['email', 'firstName'],
    );
    expect(m).toEqual({ email: 'bad email', firstName: 'long' });
  });
});
