import { z } from 'zod';
import type { ErrorDetail } from '../api/client';

// Messages are i18n keys (validation.*), translated where shown.
export const loginSchema = z.object({
  email: z.string().trim().email('validation.email').max(254, 'validation.tooLong'),
  password: z.string().min(1, 'validation.required').max(72, 'validation.passwordMax'),
  remember: z.boolean(),
});
export type LoginForm = z.infer<typeof loginSchema>;

export const registerSchema = z.object({
  email: z.string().trim().email('validation.email').max(254, 'validation.tooLong'),
  password: z.string().min(8, 'validation.passwordMin').max(72, 'validation.passwordMax'),
  firstName: z.string().trim().max(100, 'validation.tooLong'),
  lastName: z.string().trim().max(100, 'validation.tooLong'),
  companyName: z.string().trim().max(200, 'validation.tooLong'),
});
export type RegisterForm = z.infer<typeof registerSchema>;

// A host name as the keys plugin takes it (it does the IDN conversion):
// labels of letters, digits and hyphens, a dot between them; "localhost"
// for test keys.
const DOMAIN = /^(localhost|127\.0\.0\.1|(?=.{1,253}$)([\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63})$/u;
export const keySchema = z.object({
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(DOMAIN, 'validation.domain'),
  environment: z.enum(['prod', 'test']),
  description: z.string().trim().max(500, 'validation.tooLong'),
});
export type KeyForm = z.infer<typeof keySchema>;

/** Field errors of an API 400 (details[].field) mapped onto form fields. */
export function apiFieldErrors(details: ErrorDetail[], fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  for (const d of details) {
    if (!d.field) continue;
    const f = fields.find((x) => x === d.field || x === camel(d.field ?? ''));
    if (f && !out[f]) out[f] = d.message ?? d.issue ?? 'invalid';
  }
  return out;
}
