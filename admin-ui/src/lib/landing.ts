// Pure logic of the landing-page screens: colour contrast (WCAG 2.x), the
// subdomain rules (the landing plugin's, so the owner hears "reserved"
// before the server says it), and the editor's form <-> the page's JSON.
import { DAYS, type Hours, type Range } from '../api/knowledge';

// ---------------------------------------------------------------- colours

const HEX = /^#[0-9a-fA-F]{6}$/;
export const isHexColor = (s: string) => HEX.test(s);

/** Relative luminance of #rrggbb (WCAG 2.2, 1.4.3). */
export function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const lin = c.map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (lin[0] ?? 0) + 0.7152 * (lin[1] ?? 0) + 0.0722 * (lin[2] ?? 0);
}

/** Contrast ratio of two colours, 1..21. */
export function contrast(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

export type ContrastWarning = { key: 'landing.contrastSecondaryBg' | 'landing.contrastPair'; ratio: number };

// Text on either colour is fine whatever it is: the templates write black or
// white on it, whichever contrasts more (always at least 4.58:1). What can go
// wrong is between areas: the secondary colour fills a whole band of the
// page on the white background, and sits next to the primary one. Both need
// 3:1 (WCAG 1.4.11, non-text contrast) to be told apart.
export function contrastWarnings(primary: string, secondary: string, background = '#ffffff'): ContrastWarning[] {
  if (!isHexColor(primary) || !isHexColor(secondary)) return [];
  const out: ContrastWarning[] = [];
  const bg = contrast(secondary, background);
  if (bg < 3) out.push({ key: 'landing.contrastSecondaryBg', ratio: bg });
  const pair = contrast(primary, secondary);
  if (pair < 3) out.push({ key: 'landing.contrastPair', ratio: pair });
  return out;
}

/** "4.5:1" */
export const ratioText = (r: number) => `${(Math.floor(r * 10) / 10).toFixed(1)}:1`;

// -------------------------------------------------------------- subdomains

// plugins/landing/validate.c, subdomain_reserved()
export const RESERVED = new Set([
  'www', 'api', 'admin', 'app', 'mail', 'login', 'auth', 'account', 'accounts', 'billing', 'dashboard', 'static',
  'assets', 'cdn', 'media', 'img', 'images', 'docs', 'help', 'support', 'status', 'blog', 'dev', 'staging', 'test',
  'demo', 'carbot', 'widget', 'chat', 'smtp', 'imap', 'pop', 'pop3', 'ftp', 'sftp', 'ns1', 'ns2', 'ns3', 'mx', 'email',
  'webmail', 'signup', 'register', 'secure', 'internal', 'root', 'localhost', 'autoconfig', 'autodiscover', 'portal',
  'about', 'security', 'abuse', 'postmaster', 'hostmaster', 'webmaster', 'info',
]);

export type SubdomainProblem = 'too_short' | 'too_long' | 'invalid' | 'reserved';

/** What the server would say about the name without asking it (null: ask it whether it is taken). */
export function subdomainProblem(s: string): SubdomainProblem | null {
  const v = s.toLowerCase();
  if (v.length < 3) return 'too_short';
  if (v.length > 63) return 'too_long';
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(v)) return 'invalid';
  if (RESERVED.has(v)) return 'reserved';
  return null;
}

/** A subdomain suggested from the business name: "Autohaus Müller & Söhne" -> "autohaus-mueller-soehne". */
export function suggestSubdomain(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return s;
}

// --------------------------------------------------------------- the page

export const SCHEMA_TYPES = ['AutoRepair', 'AutoDealer', 'LocalBusiness'] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];
export const FONTS = ['system', 'serif', 'rounded', 'mono'] as const;
export type Font = (typeof FONTS)[number];

export interface PageService {
  name: string;
  description?: string;
  price?: string;
}

export interface LandingPage {
  id: string;
  template_id: string;
  subdomain: string;
  custom_domain: string | null;
  ssl_enabled: boolean;
  is_published: boolean;
  published_at: string | null;
  created_at: string;
  updated_at: string;
  configuration: Record<string, unknown>;
  urls: { canonical: string; subdomain: string; local: string; preview: string };
  warnings?: { code: string; message: string }[];
}

export interface LandingForm {
  template_id: string;
  subdomain: string;
  locale: 'de' | 'en';
  business_name: string;
  business_description: string;
  address: string;
  phone: string;
  email: string;
  map_url: string;
  lat: string;
  lng: string;
  services: PageService[];
  primary_color: string;
  secondary_color: string;
  font_family: Font;
  logo_url: string;
  favicon_url: string;
  meta_title: string;
  meta_description: string;
  keywords: string;
  schema_type: SchemaType;
  imprint_url: string;
  privacy_url: string;
  imprint_representative: string;
}

export function emptyForm(template_id = ''): LandingForm {
  return {
    template_id, subdomain: '', locale: 'de', business_name: '', business_description: '',
    address: '', phone: '', email: '', map_url: '', lat: '', lng: '', services: [],
    primary_color: '#1f4e79', secondary_color: '#f5a623', font_family: 'system', logo_url: '', favicon_url: '',
    meta_title: '', meta_description: '', keywords: '', schema_type: 'AutoRepair',
    imprint_url: '', privacy_url: '', imprint_representative: '',
  };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The landing plugin's stored hours ({monday: {closed, ranges}}) as the editor's weekly ranges. */
export function hoursFromPage(h: unknown): Hours['weekly'] {
  const src = obj(h);
  const out = Object.fromEntries(DAYS.map((d) => [d, [] as Range[]])) as unknown as Hours['weekly'];
  for (const d of DAYS) {
    const day = obj(src[d]);
    if (day.closed === true) continue;
    const ranges = Array.isArray(day.ranges) ? day.ranges : day.open ? [day] : [];
    out[d] = ranges.map((r) => ({ open: str(obj(r).open), close: str(obj(r).close) })).filter((r) => r.open && r.close);
  }
  return out;
}

/** The editor's weekly ranges as the landing plugin takes them: a day is "closed" or its ranges. */
export function hoursToPage(w: Hours['weekly']): Record<string, unknown> {
  return Object.fromEntries(DAYS.map((d) => [d, w[d].length ? w[d].map((r) => ({ open: r.open, close: r.close })) : 'closed']));
}

/** Two weekly schedules are the same. */
export function sameWeekly(a: Hours['weekly'], b: Hours['weekly']): boolean {
  return DAYS.every((d) => JSON.stringify(a[d]) === JSON.stringify(b[d]));
}

export function formFromPage(p: LandingPage): LandingForm {
  const c = p.configuration;
  const ci = obj(c.contact_info);
  const loc = obj(ci.location);
  const th = obj(c.theme);
  const seo = obj(c.seo);
  const imp = obj(c.imprint);
  const f = emptyForm(p.template_id);
  return {
    ...f,
    subdomain: p.subdomain,
    locale: c.locale === 'en' ? 'en' : 'de',
    business_name: str(c.business_name),
    business_description: str(c.business_description),
    address: str(ci.address), phone: str(ci.phone), email: str(ci.email), map_url: str(ci.map_url),
    lat: str(loc.lat), lng: str(loc.lng),
    services: Array.isArray(c.services)
      ? c.services.map((s) => ({ name: str(obj(s).name), description: str(obj(s).description), price: str(obj(s).price) }))
      : [],
    primary_color: str(th.primary_color) || f.primary_color,
    secondary_color: str(th.secondary_color) || f.secondary_color,
    font_family: (FONTS as readonly string[]).includes(str(th.font_family)) ? (str(th.font_family) as Font) : 'system',
    logo_url: str(th.logo_url), favicon_url: str(th.favicon_url),
    meta_title: str(seo.meta_title), meta_description: str(seo.meta_description),
    keywords: Array.isArray(seo.keywords) ? seo.keywords.map(str).join(', ') : '',
    schema_type: (SCHEMA_TYPES as readonly string[]).includes(str(seo.schema_type)) ? (str(seo.schema_type) as SchemaType) : 'AutoRepair',
    imprint_url: str(c.imprint_url), privacy_url: str(c.privacy_url),
    imprint_representative: str(imp.representative),
  };
}

/**
 * The request body for the form: for create (empty texts left out) or for
 * PATCH (empty texts sent as null, which clears them; the subdomain is not
 * sent, it cannot change). weekly: the hours to store on the page.
 */
export function pageBody(f: LandingForm, weekly: Hours['weekly'] | null, mode: 'create' | 'patch'): Obj {
  const t = (s: string): string | null | undefined => {
    const v = s.trim();
    return v ? v : mode === 'patch' ? null : undefined;
  };
  const clean = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const lat = f.lat.trim() === '' ? NaN : Number(f.lat);
  const lng = f.lng.trim() === '' ? NaN : Number(f.lng);
  const location = Number.isFinite(lat) && Number.isFinite(lng) ? { lat, lng } : mode === 'patch' ? null : undefined;
  const keywords = f.keywords.split(',').map((k) => k.trim()).filter(Boolean);
  const configuration = clean({
    business_name: f.business_name.trim(),
    business_description: t(f.business_description),
    locale: f.locale,
    contact_info: clean({
      address: t(f.address), phone: t(f.phone), email: t(f.email), map_url: t(f.map_url), location,
      ...(weekly ? { hours: hoursToPage(weekly) } : {}),
    }),
    services: f.services
      .filter((s) => s.name.trim())
      .map((s) => clean({ name: s.name.trim(), description: s.description?.trim() || undefined, price: s.price?.trim() || undefined })),
    theme: clean({
      primary_color: f.primary_color.toLowerCase(), secondary_color: f.secondary_color.toLowerCase(), font_family: f.font_family,
      logo_url: t(f.logo_url), favicon_url: t(f.favicon_url),
    }),
    imprint_url: t(f.imprint_url),
    privacy_url: t(f.privacy_url),
    // a PATCH merges objects member by member: other Impressum fields set elsewhere stay
    imprint: mode === 'patch' ? { representative: t(f.imprint_representative) } : f.imprint_representative.trim() ? { representative: f.imprint_representative.trim() } : undefined,
  });
  const seo = clean({
    meta_title: t(f.meta_title), meta_description: t(f.meta_description),
    keywords: keywords.length ? keywords : mode === 'patch' ? [] : undefined,
    schema_type: f.schema_type,
  });
  return mode === 'create'
    ? { template_id: f.template_id, subdomain: f.subdomain.trim().toLowerCase(), configuration, seo }
    : { template_id: f.template_id, configuration, seo };
}

/**
 * What a German page lacks for its Impressum (§ 5 DDG): null when the owner
 * links their own or the generated one can be complete (a representative,
 * an address and an e-mail address: what publishing checks).
 */
export function imprintMissing(f: LandingForm): ('representative' | 'address' | 'email')[] | null {
  if (f.imprint_url.trim()) return null;
  const m: ('representative' | 'address' | 'email')[] = [];
  if (!f.imprint_representative.trim()) m.push('representative');
  if (!f.address.trim()) m.push('address');
  if (!f.email.trim()) m.push('email');
  return m.length ? m : null;
}

/** Page status for the list. */
export function pageStatus(p: Pick<LandingPage, 'is_published'>): 'published' | 'draft' {
  return p.is_published ? 'published' : 'draft';
}
