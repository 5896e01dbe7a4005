import { get, send } from './client';

export interface Conversation {
  id: string;
  client_key_id: string;
  session_id: string;
  started_at: string;
  last_message_at: string;
  ended_at: string | null;
  message_count: number;
  metadata: { lang?: string; [k: string]: unknown };
  /** from /conversations/search */
  has_lead?: boolean;
}

export interface Message {
  id: string;
  role: 'user' | 'assistant' | string;
  content: string;
  message_type: string;
  metadata: { intent?: string; lang?: string; [k: string]: unknown };
  created_at: string;
}

export type LeadStatus = 'new' | 'contacted' | 'booked' | 'closed';
export const LEAD_STATUSES: LeadStatus[] = ['new', 'contacted', 'booked', 'closed'];

export interface Lead {
  id: string;
  client_key_id: string;
  conversation_id: string | null;
  kind: 'appointment' | 'callback' | string;
  name: string | null;
  contact: string | null;
  vehicle: string | null;
  service: string | null;
  preferred_day: string | null;
  status: LeadStatus;
  created_at: string;
  updated_at: string;
}

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
  get<{ conversations: Conversation[]; next_cursor: string | null }>('/api/v1/conversations/search', { ...f, cursor, limit });
export const getConversation = (id: string) =>
  get<{ conversation: Conversation; messages: Message[] }>(`/api/v1/conversations/${encodeURIComponent(id)}`);

export const listLeads = (f: { status?: string; key?: string }, cursor?: string, limit = 20) =>
  get<{ leads: Lead[]; next_cursor: string | null }>('/api/v1/leads', { ...f, cursor, limit });
export const setLeadStatus = (id: string, status: LeadStatus) =>
  send<{ lead: Lead }>('PATCH', `/api/v1/leads/${encodeURIComponent(id)}`, { status });

export interface Analytics {
  usage_stats: {
    current_period: { conversations: number; messages: number; unique_users: number };
    previous_period: { conversations: number; messages: number; unique_users: number };
    growth_rate: number;
  };
  top_intents: { intent: string; count: number; percentage: number }[];
  hourly_usage: { hour: string; conversations: number }[];
}
export const keyAnalytics = (id: string) => get<Analytics>(`/api/v1/client-keys/${encodeURIComponent(id)}/analytics`);
