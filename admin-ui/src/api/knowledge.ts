// The chatbot's knowledge, behind one interface so the screen does not care
// where it is stored:
// - "business": one knowledge base per owner, GET/PUT /api/v1/knowledge
//   (the chat plugin's contract, plugins/chat/README.md), with the list of
//   unanswered questions (fallbacks);
// - "key": today's per-key store GET/PUT /api/v1/client-keys/{id}/knowledge
//   ({faq:[{q,a}], prices:[{service, price, note}]}), used when the server
//   has no /api/v1/knowledge yet. Hours, greeting and quick replies cannot
//   be stored there and are kept as loaded.
import { ApiError, get, send } from './client';

export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Day = (typeof DAYS)[number];

export interface Range {
  open: string;
  close: string;
}
export interface Holiday {
  date: string;
  name: string;
}
export interface Closure {
  from: string;
  to: string;
  note?: string;
  hours?: Range[];
}
export interface Hours {
  weekly: Record<Day, Range[]>;
  holidays: Holiday[];
  closures: Closure[];
}
export type PriceKind = 'fixed' | 'from' | 'on_request';
export interface Service {
  id?: string;
  name: string;
  category?: string;
  synonyms?: string[];
  price_kind: PriceKind;
  price?: number;
  note?: string;
  description?: string;
}
export interface Localised {
  de?: string;
  en?: string;
}
export interface Faq {
  id?: string;
  question: Localised;
  answer: Localised;
  phrasings?: { text: string; lang: 'de' | 'en' }[];
}
export interface KnowledgeBase {
  version: number;
  updated_at?: string | null;
  source?: string;
  hours: Hours;
  services: Service[];
  faq: Faq[];
  greeting: Localised;
  quick_replies: { de?: string[]; en?: string[] };
}
export interface FallbackTurn {
  text: string;
  count: number;
  lang: 'de' | 'en';
  example: string;
  last_seen_at: string;
}

export interface KnowledgeStore {
  mode: 'business' | 'key';
  load(): Promise<KnowledgeBase>;
  save(kb: KnowledgeBase): Promise<KnowledgeBase>;
  fallbacks(): Promise<FallbackTurn[]>;
}

export function emptyHours(): Hours {
  return {
    weekly: Object.fromEntries(DAYS.map((d) => [d, []])) as unknown as Record<Day, Range[]>,
    holidays: [],
    closures: [],
  };
}

export function normalise(kb: Partial<KnowledgeBase>): KnowledgeBase {
  const hours = emptyHours();
  for (const d of DAYS) hours.weekly[d] = kb.hours?.weekly?.[d] ?? [];
  hours.holidays = kb.hours?.holidays ?? [];
  hours.closures = kb.hours?.closures ?? [];
  return {
    version: kb.version ?? 0,
    updated_at: kb.updated_at ?? null,
    source: kb.source,
    hours,
    services: kb.services ?? [],
    faq: kb.faq ?? [],
    greeting: kb.greeting ?? {},
    quick_replies: kb.quick_replies ?? {},
  };
}

// ---- the per-key store's shape ----

interface KeyKnowledge {
  faq: { q: string; a: string }[];
  prices: { service: string; price: string; note?: string }[];
  updated_at: string | null;
}

const euro = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace('.', ',')) + ' €';

export function priceText(s: Service): string {
  if (s.price_kind === 'on_request' || s.price === undefined) return 'auf Anfrage';
  return (s.price_kind === 'from' ? 'ab ' : '') + euro(s.price);
}

export function parsePrice(text: string): { price_kind: PriceKind; price?: number } {
  const m = /^\s*(ab|from)?\s*(\d+(?:[.,]\d{1,2})?)\s*(€|eur|euro)?\s*$/i.exec(text);
  if (!m || m[2] === undefined) return { price_kind: 'on_request' };
  return { price_kind: m[1] ? 'from' : 'fixed', price: Number(m[2].replace(',', '.')) };
}

export function toKeyKnowledge(kb: KnowledgeBase): Omit<KeyKnowledge, 'updated_at'> {
  return {
    faq: kb.faq
      .map((f) => ({ q: f.question.de || f.question.en || '', a: f.answer.de || f.answer.en || '' }))
      .filter((f) => f.q && f.a),
    prices: kb.services.map((s) => ({ service: s.name, price: priceText(s), ...(s.note ? { note: s.note } : {}) })),
  };
}

export function fromKeyKnowledge(k: KeyKnowledge, keep: KnowledgeBase): KnowledgeBase {
  return {
    ...keep,
    updated_at: k.updated_at,
    faq: k.faq.map((f) => ({ question: { de: f.q }, answer: { de: f.a } })),
    services: k.prices.map((p) => {
      const parsed = parsePrice(p.price);
      const note = parsed.price_kind === 'on_request' && !/anfrage|request/i.test(p.price) ? p.price : p.note;
      return { name: p.service, ...parsed, ...(note ? { note } : {}) };
    }),
  };
}

function businessStore(): KnowledgeStore {
  return {
    mode: 'business',
    load: async () => normalise(await get<KnowledgeBase>('/api/v1/knowledge')),
    save: async (kb) => {
      const body = {
        version: kb.version,
        hours: kb.hours,
        services: kb.services,
        faq: kb.faq,
        greeting: kb.greeting,
        quick_replies: kb.quick_replies,
      };
      return normalise(await send<KnowledgeBase>('PUT', '/api/v1/knowledge', body));
    },
    fallbacks: async () =>
      (await get<{ fallbacks: FallbackTurn[] }>('/api/v1/knowledge/fallbacks', { limit: 20 })).fallbacks,
  };
}

// Written to every key of the owner, so all of them answer alike (what the
// business-wide store will do on the server); read from the first.
function keyStore(keyIds: string[]): KnowledgeStore {
  let kept = normalise({});
  const path = (id: string) => `/api/v1/client-keys/${encodeURIComponent(id)}/knowledge`;
  const first = keyIds[0];
  return {
    mode: 'key',
    load: async () => (first ? (kept = fromKeyKnowledge(await get<KeyKnowledge>(path(first)), kept)) : kept),
    save: async (kb) => {
      kept = kb;
      const body = toKeyKnowledge(kb);
      const out = await Promise.all(keyIds.map((id) => send<KeyKnowledge>('PUT', path(id), body)));
      return out[0] ? (kept = fromKeyKnowledge(out[0], kb)) : kb;
    },
    fallbacks: async () => [],
  };
}

/** The business-wide store when the server has it, else the per-key one over keyIds. */
export async function openKnowledge(keyIds: string[]): Promise<KnowledgeStore> {
  try {
    await get('/api/v1/knowledge');
    return businessStore();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return keyStore(keyIds);
    throw e;
  }
}
