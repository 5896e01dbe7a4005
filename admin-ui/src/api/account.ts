// Billing, account and privacy: the billing, auth, notify and gdpr plugins'
// owner routes (plugins/*/README.md), and the public routes the account
// e-mails' pages post to.
import { ApiError, get, publicPost, send, type TokenReply, type User } from './client';
import type { components } from './schema';

// The billing and privacy shapes are the server's own (schema.d.ts, from the
// OpenAPI document): a changed answer breaks this build, not a screen.
type Schemas = components['schemas'];

// ---------------------------------------------------------------- billing

export type PlanId = 'basic' | 'premium' | 'enterprise' | string;
export type Interval = 'month' | 'year';

/** null: unlimited */
export interface Limits {
  api_requests_per_15min: number | null;
  conversations: number | null;
  messages: number | null;
  client_keys: number | null;
  landing_pages: number | null;
  custom_domains: number | null;
}

export type Plan = Schemas['Plan'];

export type Plans = Schemas['ListPlansResponse'];

export type Subscription = Schemas['Subscription'];

export type Invoice = Schemas['Invoice'];

export type CheckoutReply = { url: string; id: string } | { changed: true; plan: PlanId; interval: Interval; tier: string; url: string };

export const getPlans = () => get<Plans>('/api/v1/billing/plans');
export const getSubscription = () => get<Subscription>('/api/v1/billing/subscription');
export const getInvoices = () => get<{ invoices: Invoice[] }>('/api/v1/billing/invoices').then((r) => r.invoices);
export const checkout = (plan: PlanId, interval: Interval) => send<CheckoutReply>('POST', '/api/v1/billing/checkout', { plan, interval });
export const portal = () => send<{ url: string }>('POST', '/api/v1/billing/portal');

export interface LandingPageRow {
  id: string;
  subdomain: string;
  is_published: boolean;
  created_at: string;
}
/** The owner's landing pages; null when the server has no landing plugin. */
export async function landingPages(): Promise<LandingPageRow[] | null> {
  try {
    return (await get<{ landing_pages: LandingPageRow[] }>('/api/v1/landing-pages')).landing_pages;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

// ---------------------------------------------------------------- account

export interface Me extends User {
  phone: string | null;
  subscription_status: string;
  created_at: string;
  last_login_at: string | null;
}

export interface ProfilePatch {
  firstName: string | null;
  lastName: string | null;
  companyName: string | null;
  phone: string | null;
}

export const getMe = () => get<{ user: Me }>('/api/v1/auth/me').then((r) => r.user);
export const patchMe = (p: ProfilePatch) => send<{ user: Me }>('PATCH', '/api/v1/auth/me', p).then((r) => r.user);
export const changePassword = (current_password: string, new_password: string) =>
  send<TokenReply>('POST', '/api/v1/auth/password', { current_password, new_password });
export const logoutAll = () => send<{ revoked: number }>('POST', '/api/v1/auth/logout', { all: true });
export const verifyState = () => get<{ email_verified: boolean; may_publish: boolean }>('/api/v1/auth/verify-email');
export const resendVerification = () => send<{ sent: boolean }>('POST', '/api/v1/auth/verify-email/resend');

export type NotifySettings = Schemas['NotificationSettings'];
export const getNotify = () => get<NotifySettings>('/api/v1/notifications/settings');
export const putNotify = (s: Partial<NotifySettings>) => send<NotifySettings>('PUT', '/api/v1/notifications/settings', s);

// ---------------------------------------------------------------- privacy

export type Export = Schemas['Export'];
export type Retention = Schemas['Retention'];
export type Erasure = Schemas['Erasure'];

export const requestExport = () => send<Export>('POST', '/api/v1/gdpr/export');
export const getExport = (id: string) => get<Export>(`/api/v1/gdpr/exports/${encodeURIComponent(id)}`);
export const getRetention = () => get<Retention>('/api/v1/gdpr/retention');
export const putRetention = (conversations_days: number | null) => send<Retention>('PUT', '/api/v1/gdpr/retention', { conversations_days });
export const requestErasure = (password: string) => send<Erasure>('POST', '/api/v1/gdpr/erasure', { password });

// ------------------------------------------------- public (no session needed)

export const cancelErasure = (email: string, password: string) =>
  publicPost<{ status: string }>('/api/v1/gdpr/erasure/cancel', { email, password });
export const verifyEmail = (token: string) => publicPost<{ email_verified: boolean }>('/api/v1/auth/verify-email', { token });
export const forgotPassword = (email: string) => publicPost<{ message: string }>('/api/v1/auth/forgot-password', { email });
export const resetPassword = (token: string, password: string) =>
  publicPost<{ password_reset: boolean }>('/api/v1/auth/reset-password', { token, password });
