// Landing pages, their templates and custom domains (plugins/landing,
// plugins/templates). The previews are bearer routes, so an <img> or
// <iframe> cannot load them by URL: they are fetched here and handed to the
// screen as a data: URL (the dashboard's CSP allows data: images) or as
// HTML for an iframe's srcdoc.
import type { LandingPage } from '../lib/landing';
import { ApiError, get, send, session } from './client';

export interface Template {
  id: string;
  name: string;
  description?: string;
  category?: string;
  preview_image_url?: string;
  features?: string[];
}

export interface SubdomainCheck {
  subdomain: string;
  available: boolean;
  reason: 'too_short' | 'too_long' | 'invalid' | 'reserved' | 'taken' | null;
  message: string | null;
  host?: string;
}

export type VerifyMethod = 'dns' | 'file' | 'meta';

export interface Verification {
  domain: string;
  method: VerifyMethod;
  token: string;
  status: 'pending' | 'verified' | 'expired';
  expires_at: string | null;
  verified_at: string | null;
  last_checked_at: string | null;
  last_error: string | null;
  instructions: {
    dns: { type: string; name: string; value: string };
    file: { url: string; content: string };
    meta: { url: string; tag: string };
    routing: { type: string; name: string; value: string };
  };
}

export interface DomainState {
  custom_domain: string | null;
  verification: Verification | null;
}

const BASE = '/api/v1/landing-pages';
const page = (id: string) => `${BASE}/${encodeURIComponent(id)}`;

export const listTemplates = async () => (await get<{ templates: Template[] }>('/api/v1/templates')).templates;
export const listPages = async () => (await get<{ landing_pages: LandingPage[] }>(BASE)).landing_pages;
export const getPage = (id: string) => get<LandingPage>(page(id));
export const createPage = (body: unknown) => send<LandingPage>('POST', BASE, body);
export const patchPage = (id: string, body: unknown) => send<LandingPage>('PATCH', page(id), body);
export const publishPage = (id: string) => send<LandingPage>('POST', `${page(id)}/publish`);
export const unpublishPage = (id: string) => send<LandingPage>('POST', `${page(id)}/unpublish`);
export const deletePage = (id: string) => send<void>('DELETE', page(id));
export const checkSubdomain = (subdomain: string) => get<SubdomainCheck>(`${BASE}/subdomain-check`, { subdomain });

export const getDomain = (id: string) => get<DomainState>(`${page(id)}/domain`);
export const setDomain = (id: string, domain: string, method: VerifyMethod) =>
  send<Verification>('POST', `${page(id)}/domain`, { domain, method });
export const verifyDomain = (id: string, method: VerifyMethod) =>
  send<{ verified: boolean; domain: string; method: string; url: string }>('POST', `${page(id)}/domain/verify`, { method });
export const removeDomain = (id: string) => send<void>('DELETE', `${page(id)}/domain`);

async function errorOf(r: Response): Promise<ApiError> {
  try {
    const j = (await r.json()) as { error?: { code?: string; message?: string; details?: [] } };
    return new ApiError(r.status, j.error?.code ?? `http_${r.status}`, j.error?.message ?? r.statusText, j.error?.details ?? []);
  } catch {
    return new ApiError(r.status, `http_${r.status}`, r.statusText);
  }
}

/** The page rendered as it will be published (noindex), as HTML text. */
export async function previewHtml(id: string): Promise<string> {
  const r = await session.request(`${page(id)}/preview`);
  if (!r.ok) throw await errorOf(r);
  return r.text();
}

/** Uploads a logo or favicon (PNG, JPEG or WebP; the server checks the bytes); the page now uses it. */
export async function uploadAsset(id: string, kind: 'logo' | 'favicon', file: Blob): Promise<{ url: string }> {
  const r = await session.request(`${page(id)}/assets?kind=${kind}`, {
    method: 'POST',
    headers: { 'Content-Type': file.type || 'application/octet-stream' },
    body: file,
  });
  if (!r.ok) throw await errorOf(r);
  return (await r.json()) as { url: string };
}

const thumbs = new Map<string, Promise<string>>();

/** A template's thumbnail (SVG drawn by the templates plugin) as a data: URL; fetched once per id. */
export function templateThumb(id: string): Promise<string> {
  let p = thumbs.get(id);
  if (!p) {
    p = session
      .request(`/api/v1/templates/${encodeURIComponent(id)}/preview.svg`)
      .then(async (r) => {
        if (!r.ok) throw await errorOf(r);
        const svg = await r.text();
        return 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
      });
    p.catch(() => thumbs.delete(id));
    thumbs.set(id, p);
  }
  return p;
}
