import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { bytea, createdAt, workspaceIdColumn } from './columns.ts';
import { workspaces } from './workspaces.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true });
const updatedAt = () => ts('updated_at').notNull().defaultNow();
const workspaceRef = () => workspaceIdColumn().references(() => workspaces.id, { onDelete: 'cascade' });

/**
 * A connected WhatsApp number, Facebook Page or Instagram account. `account_id` is Meta's id of
 * it (phone-number id, page id, IG account id) and is unique across the install: one number
 * belongs to one workspace. Credentials are encrypted with the workspace key.
 */
export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceRef(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    accountId: text('account_id').notNull(),
    wabaId: text('waba_id'),
    appId: text('app_id').notNull(),
    display: text('display'),
    credentials: bytea('credentials').notNull(),
    status: text('status').notNull().default('active'),
    tokenValid: boolean('token_valid'),
    qualityRating: text('quality_rating'),
    messagingTier: text('messaging_tier'),
    healthCheckedAt: ts('health_checked_at'),
    lastWebhookAt: ts('last_webhook_at'),
    lastError: jsonb('last_error').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('channels_account_key').on(t.kind, t.accountId),
    index('channels_workspace_idx').on(t.workspaceId),
  ],
);

/**
 * Meta apps whose webhooks this install accepts: the app secret and verify token, encrypted with
 * the platform key. Platform-wide (an app may serve several workspaces), not a tenant table.
 */
export const metaApps = pgTable('meta_apps', {
  appId: text('app_id').primaryKey(),
  secret: bytea('secret').notNull(),
  verifyToken: bytea('verify_token').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Raw webhook deliveries, stored (encrypted) before Meta gets its 200 and processed from here.
 * `workspace_id` is set once an event is routed (dead letters of a workspace are visible to it).
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: uuid('id').primaryKey(),
    workspaceId: uuid('workspace_id'),
    appId: text('app_id'),
    object: text('object'),
    body: bytea('body').notNull(),
    bodyHash: text('body_hash').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    processedAt: ts('processed_at'),
  },
  (t) => [
    uniqueIndex('webhook_events_body_key').on(t.bodyHash),
    index('webhook_events_pending_idx')
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending'`),
    index('webhook_events_dead_idx')
      .on(t.workspaceId, t.receivedAt)
      .where(sql`status = 'dead'`),
  ],
);

/** A person the workspace talks to. Name and phone are encrypted; `phone_index` is a blind index. */
export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceRef(),
    name: bytea('name'),
    phone: bytea('phone'),
    phoneIndex: text('phone_index'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('contacts_phone_idx').on(t.workspaceId, t.phoneIndex)],
);

/** How a contact is reached on one channel: wa_id, PSID or IGSID (encrypted; blind-indexed). */
export const contactIdentities = pgTable(
  'contact_identities',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceRef(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    externalIndex: text('external_index').notNull(),
    externalId: bytea('external_id').notNull(),
    profileName: bytea('profile_name'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('contact_identities_external_key').on(t.channelId, t.externalIndex),
    index('contact_identities_contact_idx').on(t.contactId),
  ],
);

export const teams = pgTable('teams', {
  id: uuid('id').primaryKey(),
  workspaceId: workspaceRef(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const teamMembers = pgTable(
  'team_members',
  {
    workspaceId: workspaceRef(),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);

/** One conversation per contact × channel; it reopens when the customer writes again. */
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceRef(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    status: text('status').notNull().default('open'),
    assigneeId: uuid('assignee_id'),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    snoozedUntil: ts('snoozed_until'),
    lastMessageAt: ts('last_message_at').notNull(),
    lastInboundAt: ts('last_inbound_at'),
    unreadCount: integer('unread_count').notNull().default(0),
    lastPreview: bytea('last_preview'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('conversations_contact_channel_key').on(t.channelId, t.contactId),
    index('conversations_list_idx').on(t.workspaceId, t.lastMessageAt, t.id),
  ],
);

/**
 * Messages and private notes. `content` is the canonical content (JSON), encrypted with the
 * workspace key; `search_tokens` are blind-indexed words for search over encrypted text.
 */
export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceRef(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    direction: text('direction').notNull(),
    kind: text('kind').notNull().default('message'),
    type: text('type').notNull(),
    content: bytea('content').notNull(),
    providerMessageId: text('provider_message_id'),
    replyToId: uuid('reply_to_id'),
    status: text('status').notNull(),
    errorCode: integer('error_code'),
    errorClass: text('error_class'),
    errorTitle: text('error_title'),
    providerTimestamp: ts('provider_timestamp').notNull(),
    statusAt: ts('status_at'),
    authorType: text('author_type').notNull(),
    authorId: text('author_id'),
    humanAgent: boolean('human_agent').notNull().default(false),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    searchTokens: text('search_tokens')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_provider_key').on(t.channelId, t.providerMessageId),
    uniqueIndex('messages_idempotency_key').on(t.workspaceId, t.idempotencyKey),
    index('messages_timeline_idx').on(t.conversationId, t.providerTimestamp, t.id),
    index('messages_search_idx').using('gin', t.searchTokens),
  ],
);

/** Media of a message, downloaded through the Graph API and stored encrypted (local disk). */
export const mediaObjects = pgTable(
  'media_objects',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceRef(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    status: text('status').notNull().default('pending'),
    mimeType: text('mime_type'),
    sizeBytes: integer('size_bytes'),
    sha256: text('sha256'),
    storageKey: text('storage_key'),
    error: text('error'),
    createdAt: createdAt(),
  },
  (t) => [index('media_objects_message_idx').on(t.messageId)],
);

export const labels = pgTable(
  'labels',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceRef(),
    name: text('name').notNull(),
    color: text('color').notNull().default('#6b7280'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('labels_name_key').on(t.workspaceId, sql`lower(${t.name})`)],
);

export const conversationLabels = pgTable(
  'conversation_labels',
  {
    workspaceId: workspaceRef(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    labelId: uuid('label_id')
      .notNull()
      .references(() => labels.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.labelId] }),
    index('conversation_labels_label_idx').on(t.labelId),
  ],
);

export const cannedResponses = pgTable(
  'canned_responses',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceRef(),
    shortcut: text('shortcut').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('canned_responses_shortcut_key').on(t.workspaceId, sql`lower(${t.shortcut})`)],
);

/**
 * Background jobs of a workspace (send a message, download media), claimed with
 * FOR UPDATE SKIP LOCKED. A claim sets `locked_until`; a crashed worker's job is claimed again
 * after it passes.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceRef(),
    kind: text('kind').notNull(),
    refId: uuid('ref_id').notNull(),
    runAt: ts('run_at').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('jobs_ref_key').on(t.kind, t.refId), index('jobs_run_idx').on(t.runAt)],
);

/**
 * The realtime event log of a workspace, gap-free per workspace (`seq` from
 * `realtime_cursors`, taken under a row lock, so commit order = seq order). Carries ids and
 * non-personal fields only; streams resume from a client's last seq.
 */
export const realtimeEvents = pgTable(
  'realtime_events',
  {
    workspaceId: workspaceRef(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    conversationId: uuid('conversation_id'),
    messageId: uuid('message_id'),
    userId: uuid('user_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.seq] })],
);

export const realtimeCursors = pgTable('realtime_cursors', {
  workspaceId: workspaceRef().primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
});

/** Who is available for automatic assignment, and whose turn it is (round-robin). */
export const agentAvailability = pgTable(
  'agent_availability',
  {
    workspaceId: workspaceRef(),
    userId: uuid('user_id').notNull(),
    available: boolean('available').notNull().default(true),
    lastAssignedAt: ts('last_assigned_at'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

/** Per-workspace inbox settings. */
export const inboxSettings = pgTable('inbox_settings', {
  workspaceId: workspaceRef().primaryKey(),
  autoAssign: boolean('auto_assign').notNull().default(false),
  updatedAt: updatedAt(),
});
