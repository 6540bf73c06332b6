import type { ChannelKind, ClassifiedFailure, FailureClass, MessageContent, Referral } from './canonical.ts';

export type ChannelStatus = 'active' | 'auth_revoked' | 'disconnected';

export interface ChannelRecord {
  id: string;
  workspaceId: string;
  kind: ChannelKind;
  name: string;
  /** Meta's id of the number, page or IG account. */
  accountId: string;
  wabaId: string | null;
  appId: string;
  display: string | null;
  status: ChannelStatus;
  tokenValid: boolean | null;
  qualityRating: string | null;
  messagingTier: string | null;
  healthCheckedAt: Date | null;
  lastWebhookAt: Date | null;
  lastError: { code: number; class: FailureClass; title: string; at: string } | null;
  createdAt: Date;
}

export interface ChannelCredentials {
  accessToken: string;
}

export interface ContactRecord {
  id: string;
  workspaceId: string;
  name: string | null;
  /** E.164 with a leading +. */
  phone: string | null;
  createdAt: Date;
}

export interface ContactIdentity {
  id: string;
  contactId: string;
  channelId: string;
  /** wa_id, PSID or IGSID. */
  externalId: string;
  profileName: string | null;
}

export const CONVERSATION_STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export interface ConversationRecord {
  id: string;
  workspaceId: string;
  contactId: string;
  channelId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  teamId: string | null;
  snoozedUntil: Date | null;
  lastMessageAt: Date;
  /** When the customer last wrote: the start of the service window. */
  lastInboundAt: Date | null;
  unreadCount: number;
  lastPreview: string | null;
  labelIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export type MessageDirection = 'inbound' | 'outbound';
export type MessageKind = 'message' | 'note';
/** received: inbound; queued → sent → delivered → read, or failed: outbound; note: private note. */
export type MessageStatus = 'received' | 'note' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type AuthorType = 'customer' | 'user' | 'api_key' | 'echo' | 'system';

export interface MessageError {
  code: number;
  class: FailureClass;
  title: string;
}

export interface MediaInfo {
  id: string;
  status: 'pending' | 'stored' | 'failed';
  mimeType: string | null;
  sizeBytes: number | null;
}

export interface MessageRecord {
  id: string;
  workspaceId: string;
  conversationId: string;
  channelId: string;
  direction: MessageDirection;
  kind: MessageKind;
  content: MessageContent;
  /** The ad or post the customer came from (click-to-WhatsApp / Messenger), if any. */
  referral: Referral | null;
  providerMessageId: string | null;
  replyToId: string | null;
  status: MessageStatus;
  error: MessageError | null;
  providerTimestamp: Date;
  statusAt: Date | null;
  authorType: AuthorType;
  authorId: string | null;
  humanAgent: boolean;
  idempotencyKey: string | null;
  requestHash: string | null;
  media: MediaInfo | null;
  createdAt: Date;
}

export function failureToError(f: ClassifiedFailure): MessageError {
  return { code: f.code, class: f.class, title: f.title };
}
