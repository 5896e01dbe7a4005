import { get, send } from './client';
import type { components } from './schema';

// The server's shapes (src/api/schema.d.ts, generated from the OpenAPI document).
type Schemas = components['schemas'];

export type Conversation = Schemas['Conversation'];

export type Message = Schemas['Message'];

export type LeadStatus = Schemas['Lead']['status'];
export const LEAD_STATUSES: LeadStatus[] = ['new', 'contacted', 'booked', 'closed'];

export type Lead = Schemas['Lead'];

export interface ConversationFilter {
  key?: string;
  from?: string;
  to?: string;
  intent?: string;
  has_lead?: boolean;
}

export const INTENTS = ['opening_hours', 'price', 'services', 'appointment', 'callback', 'location', 'contact', 'emergency', 'greeting', 'fallback'];

/** The chat plugin's search (key, from, to, intent, has_lead; cursor pages). */
export const listConversations = (f: ConversationFilter, cursor?: string, limit = 20) =>
  get<Schemas['ConversationPage']>('/api/v1/conversations/search', { ...f, cursor, limit });
export const getConversation = (id: string) =>
  get<{ conversation: Conversation; messages: Message[] }>(`/api/v1/conversations/${encodeURIComponent(id)}`);

export const listLeads = (f: { status?: string; key?: string }, cursor?: string, limit = 20) =>
  get<Schemas['LeadPage']>('/api/v1/leads', { ...f, cursor, limit });
export const setLeadStatus = (id: string, status: LeadStatus) =>
  send<{ lead: Lead }>('PATCH', `/api/v1/leads/${encodeURIComponent(id)}`, { status });

export type Analytics = Schemas['KeyAnalyticsResponse'];
export const keyAnalytics = (id: string) => get<Analytics>(`/api/v1/client-keys/${encodeURIComponent(id)}/analytics`);
