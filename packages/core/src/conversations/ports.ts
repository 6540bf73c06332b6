import type { Page } from '../workspaces/workspace-store.ts';
import type { ChannelKind, ClassifiedFailure, MediaRef, MessageContent } from './canonical.ts';
import type {
  ChannelCredentials,
  ChannelRecord,
  ContactIdentity,
  ContactRecord,
  ConversationRecord,
  ConversationStatus,
  MessageError,
  MessageRecord,
  MessageStatus,
} from './model.ts';

/** Ports of the conversations context. Every call runs inside one workspace's RLS scope. */
export interface ChannelStore {
  insert(channel: ChannelRecord, credentials: ChannelCredentials): Promise<void>;
  get(id: string): Promise<ChannelRecord | null>;
  findByAccount(kind: ChannelKind, accountId: string): Promise<ChannelRecord | null>;
  list(): Promise<ChannelRecord[]>;
  credentials(id: string): Promise<ChannelCredentials>;
  update(
    id: string,
    patch: Partial<
      Pick<
        ChannelRecord,
        | 'name'
        | 'status'
        | 'tokenValid'
        | 'qualityRating'
        | 'messagingTier'
        | 'healthCheckedAt'
        | 'lastWebhookAt'
        | 'lastError'
        | 'display'
        | 'appId'
        | 'wabaId'
      >
    >,
  ): Promise<void>;
  updateCredentials(id: string, credentials: ChannelCredentials): Promise<void>;
}

/** Platform-wide: the Meta apps whose webhooks this install accepts (runs in the system scope). */
export interface MetaAppStore {
  /**
   * 'conflict' when the app is known with another secret (it belongs to someone else), unless
   * `replace` (the install's own configured app).
   */
  register(
    app: { appId: string; secret: string; verifyToken: string },
    opts?: { replace?: boolean },
  ): Promise<'created' | 'unchanged' | 'conflict'>;
}

export interface ContactStore {
  /** The identities on a channel with these external ids (those that exist), in one lookup. */
  findIdentities(channelId: string, externalIds: string[]): Promise<ContactIdentity[]>;
  insertContact(contact: ContactRecord): Promise<void>;
  insertIdentity(identity: ContactIdentity): Promise<void>;
  get(id: string): Promise<ContactRecord | null>;
  getMany(ids: string[]): Promise<ContactRecord[]>;
  identities(contactId: string): Promise<ContactIdentity[]>;
  /** Corrects the display name (`null` clears it). */
  updateName(id: string, name: string | null): Promise<void>;
  getIdentity(id: string): Promise<ContactIdentity | null>;
  /**
   * Sets the contact's name only while it has none, in one statement (a name someone set meanwhile,
   * even in a transaction still open, is never overwritten). True when it was set.
   */
  nameIfUnnamed(id: string, name: string): Promise<boolean>;
  /** Sets the name the channel knows the person by, only while the identity has none. */
  setIdentityProfileName(id: string, name: string): Promise<void>;
}

export interface ConversationFilter {
  status?: ConversationStatus;
  /** A contact's conversations (one per channel). */
  contactId?: string;
  channelId?: string;
  /** A user id, or 'none' for unassigned. */
  assigneeId?: string | 'none';
  teamId?: string;
  labelId?: string;
  unread?: boolean;
  /** Conversations with a message containing all these words (blind-indexed). */
  searchTokens?: string[];
}

export type ConversationPatch = Partial<
  Pick<ConversationRecord, 'status' | 'assigneeId' | 'teamId' | 'snoozedUntil' | 'unreadCount'>
>;

/** What messages joining a conversation change in it (see `joinedMessages`). */
export interface JoinedMessages {
  /** The newest message's time. */
  at: Date;
  /** The preview of the newest message that has one, and that message's time. */
  preview: { text: string; at: Date } | null;
  /** How many were inbound (each counts as unread), and the newest inbound one's time. */
  inbound: number;
  inboundAt: Date | null;
}

export interface ConversationStore {
  /** The conversations on a channel of these contacts (those that exist), in one lookup. */
  findByContacts(channelId: string, contactIds: string[]): Promise<ConversationRecord[]>;
  insert(conversation: Omit<ConversationRecord, 'labelIds' | 'createdAt' | 'updatedAt'>): Promise<void>;
  get(id: string): Promise<ConversationRecord | null>;
  update(id: string, patch: ConversationPatch): Promise<void>;
  /**
   * Messages joined the conversation (`joinedMessages` sums them up): moves last_message_at /
   * last_inbound_at forward (never back), sets the preview when its message is the newest, counts
   * inbound messages as unread and reopens a resolved or snoozed conversation on inbound. Answers
   * with the conversation as it now is.
   */
  recordMessages(id: string, joined: JoinedMessages): Promise<ConversationRecord>;
  list(
    filter: ConversationFilter,
    page: { cursor: string | null; limit: number },
  ): Promise<Page<ConversationRecord>>;
  /** Snoozed conversations whose time has come (any workspace the scope sees). */
  dueSnoozed(now: Date, limit: number): Promise<ConversationRecord[]>;
}

export interface NewMessage extends Omit<MessageRecord, 'media' | 'createdAt'> {
  /** Plain text to index for search (blind-indexed words), if any. */
  searchText: string | null;
}

export interface MessageStore {
  /** False when a message with the same provider id (or idempotency key) exists: a duplicate. */
  insert(message: NewMessage): Promise<boolean>;
  /** Inserts several in one statement; the ids of those stored (the others were duplicates). */
  insertMany(messages: NewMessage[]): Promise<Set<string>>;
  get(id: string): Promise<MessageRecord | null>;
  findByProviderId(channelId: string, providerMessageId: string): Promise<MessageRecord | null>;
  findByIdempotencyKey(key: string): Promise<MessageRecord | null>;
  timeline(
    conversationId: string,
    page: { before: string | null; limit: number },
  ): Promise<Page<MessageRecord>>;
  setStatus(id: string, status: MessageStatus, at: Date, error: MessageError | null): Promise<void>;
  /** Replaces the content of a message (e.g. to keep the id Meta gave an uploaded file). */
  setContent(id: string, content: MessageContent): Promise<void>;
  /** Records the provider's id of a message we sent (and drops an echo of it stored first). */
  setProviderId(id: string, providerMessageId: string): Promise<void>;
  /** Outbound messages of a conversation sent at or before `at` with a status below `status`. */
  outboundBefore(conversationId: string, at: Date, below: MessageStatus[]): Promise<MessageRecord[]>;
  /** The newest inbound message of a conversation (for read receipts). */
  latestInbound(conversationId: string): Promise<MessageRecord | null>;
}

export interface MediaRecordStore {
  insert(media: { id: string; messageId: string; mimeType: string | null }): Promise<void>;
  get(id: string): Promise<{
    id: string;
    messageId: string;
    status: 'pending' | 'stored' | 'failed';
    mimeType: string | null;
    sizeBytes: number | null;
    storageKey: string | null;
  } | null>;
  markStored(
    id: string,
    m: { mimeType: string; sizeBytes: number; sha256: string; storageKey: string },
  ): Promise<void>;
  markFailed(id: string, error: string): Promise<void>;
  /** A file the team uploaded, stored already, becomes the media of the message that sends it. */
  insertUploaded(media: {
    id: string;
    messageId: string;
    mimeType: string;
    sizeBytes: number;
    sha256: string;
    storageKey: string;
  }): Promise<void>;
}

export type JobKind = 'message.send' | 'media.fetch' | 'message.read_receipt' | 'contact.profile';

export interface JobQueue {
  enqueue(kind: JobKind, refId: string, runAt?: Date): Promise<void>;
}

export type RealtimeEventType =
  | 'message.created'
  | 'message.updated'
  | 'conversation.created'
  | 'conversation.updated'
  | 'typing'
  | 'channel.updated';

export interface RealtimeEventInput {
  type: RealtimeEventType;
  conversationId?: string | null;
  messageId?: string | null;
  /** The user it concerns (assignee, typist), if any. */
  userId?: string | null;
  /** Ids and non-personal fields only: never message text or names. */
  data?: Record<string, unknown>;
}

export interface RealtimeLog {
  /** Records an event for the workspace's streams (delivered once the transaction commits). */
  append(event: RealtimeEventInput): Promise<unknown>;
}

export type SendResult = { ok: true; providerMessageId: string } | { ok: false; failure: ClassifiedFailure };

/** Meta, reached through the channel providers; implemented in the composition root. */
export interface ChannelGateway {
  send(
    channel: ChannelRecord,
    credentials: ChannelCredentials,
    toExternalId: string,
    content: MessageContent,
    opts: { callbackData: string; replyToProviderMessageId?: string; humanAgentTag: boolean },
  ): Promise<SendResult>;
  markRead(
    channel: ChannelRecord,
    credentials: ChannelCredentials,
    args: { providerMessageId: string; customerExternalId: string },
  ): Promise<SendResult | { ok: true }>;
  /** Uploads a file to Meta for sending (WhatsApp `POST /{phone-number-id}/media`): Meta's media id. */
  uploadMedia(
    channel: ChannelRecord,
    credentials: ChannelCredentials,
    file: { bytes: Buffer; mimeType: string; filename?: string },
  ): Promise<{ ok: true; providerMediaId: string } | { ok: false; failure: ClassifiedFailure }>;
  fetchMedia(
    channel: ChannelRecord,
    credentials: ChannelCredentials,
    media: MediaRef,
  ): Promise<{ bytes: Buffer; mimeType: string }>;
  /**
   * A Messenger / Instagram person's name from Meta's User Profile API (Meta's refusals and network
   * failures as classified failures).
   */
  fetchProfile(
    channel: ChannelRecord,
    credentials: ChannelCredentials,
    customerExternalId: string,
  ): Promise<
    | { ok: true; profile: { name: string | null; username?: string } }
    | { ok: false; failure: ClassifiedFailure }
  >;
  checkHealth(
    channel: Pick<ChannelRecord, 'kind' | 'accountId' | 'wabaId'>,
    credentials: ChannelCredentials,
  ): Promise<{
    tokenValid: boolean;
    qualityRating?: string;
    messagingTier?: string;
    displayName?: string;
    error?: ClassifiedFailure;
  }>;
  /** Embedded Signup: exchanges the code and prepares the number (subscribe app, register). */
  completeEmbeddedSignup(input: {
    appId: string;
    appSecret: string;
    code: string;
    wabaId: string;
    phoneNumberId: string;
  }): Promise<{
    accessToken: string;
    displayPhoneNumber: string;
    verifiedName: string;
    qualityRating?: string;
  }>;
  readonly kinds: readonly ChannelKind[];
}

/** Where media bytes live (encrypted): local disk by default. */
export interface BlobStorage {
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
}
