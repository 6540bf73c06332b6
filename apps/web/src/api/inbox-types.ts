/** The inbox API's shapes (apps/server/src/http/conversation-schemas.ts, inbox-views.ts). */
export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export type ChannelKind = 'whatsapp' | 'messenger' | 'instagram';

export interface Conversation {
  id: string;
  contactId: string;
  channelId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  teamId: string | null;
  snoozedUntil: string | null;
  lastMessageAt: string;
  lastInboundAt: string | null;
  window: { open: boolean; closesAt: string | null; humanAgentUntil: string | null };
  unreadCount: number;
  preview: string | null;
  labelIds: string[];
  contact?: { id: string; name: string | null; phone: string | null };
  createdAt: string;
  updatedAt: string;
}

/** What assign / status / labels answer: the triage part of a conversation. */
export interface ConversationState {
  id: string;
  status: ConversationStatus;
  assigneeId: string | null;
  teamId: string | null;
  snoozedUntil: string | null;
  labelIds: string[];
  updatedAt: string;
}

export type MessageStatus = 'received' | 'note' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Message {
  id: string;
  conversationId: string;
  channelId: string;
  direction: 'inbound' | 'outbound';
  kind: 'message' | 'note';
  type: string;
  content: Record<string, unknown>;
  status: MessageStatus;
  error: { code: number; class: string; title: string; explanation: string } | null;
  author: { type: 'customer' | 'user' | 'api_key' | 'echo' | 'system'; id: string | null };
  humanAgent: boolean;
  replyToId: string | null;
  media: {
    id: string;
    status: 'pending' | 'stored' | 'failed';
    mimeType: string | null;
    sizeBytes: number | null;
    url: string;
  } | null;
  referral: Record<string, unknown> | null;
  timestamp: string;
  statusAt: string | null;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Contact {
  id: string;
  name: string | null;
  phone: string | null;
  identities: { channelId: string; externalId: string; profileName: string | null }[];
  /** Values of the workspace's active custom fields, by key (unset ones are absent). */
  customFields: Record<string, ContactFieldValue>;
  createdAt: string;
}

export type ContactFieldType = 'text' | 'number' | 'date' | 'boolean' | 'select';
/** Text, date (YYYY-MM-DD) and select values are strings. */
export type ContactFieldValue = string | number | boolean;

/** A custom contact field the workspace defined (Settings → Contact fields). */
export interface ContactField {
  id: string;
  key: string;
  label: string;
  type: ContactFieldType;
  options: string[];
  archived: boolean;
  archivedAt: string | null;
  createdAt: string;
}

export interface Channel {
  id: string;
  kind: ChannelKind;
  name: string;
  accountId: string;
  wabaId: string | null;
  appId: string;
  display: string | null;
  status: 'active' | 'auth_revoked' | 'disconnected';
  health: {
    tokenValid: boolean | null;
    qualityRating: string | null;
    messagingTier: string | null;
    checkedAt: string | null;
    lastWebhookAt: string | null;
    lastError: { code: number; class: string; title: string; at: string } | null;
  };
  createdAt: string;
}

export interface Label {
  id: string;
  name: string;
  color: string;
  createdAt: string;
}

export interface Team {
  id: string;
  name: string;
  memberIds: string[];
  createdAt: string;
}

export interface CannedResponse {
  id: string;
  shortcut: string;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookEvent {
  id: string;
  appId: string | null;
  object: string | null;
  status: 'pending' | 'done' | 'dead';
  attempts: number;
  receivedAt: string;
  processedAt: string | null;
  error: string | null;
  payload?: unknown;
}

/** One Server-Sent Event of /api/v1/events. */
export interface RealtimeEvent {
  seq: number;
  type: string;
  conversationId: string | null;
  messageId: string | null;
  userId: string | null;
  data: Record<string, unknown> | null;
  createdAt: string;
}
