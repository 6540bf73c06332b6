import { isUuid, newId } from '../shared/ids.ts';
import {
  isMediaType,
  type AccountEvent,
  type CanonicalEvent,
  type MessageEvent,
  type StatusEvent,
  type WatermarkEvent,
} from './canonical.ts';
import { requestContactProfile } from './contact-profile.ts';
import { advanceStatus, statusesBelow } from './message-status.ts';
import { joinedMessages, previewOf, searchableText } from './message-text.ts';
import type { ChannelRecord, ContactIdentity, ConversationRecord, MessageRecord } from './model.ts';
import type {
  ChannelStore,
  ContactStore,
  ConversationStore,
  JobQueue,
  MediaRecordStore,
  MessageStore,
  NewMessage,
  RealtimeLog,
} from './ports.ts';

export type IngestDeps = {
  channels: ChannelStore;
  contacts: ContactStore;
  conversations: ConversationStore;
  messages: MessageStore;
  media: MediaRecordStore;
  jobs: JobQueue;
  realtime: RealtimeLog;
  /** Picks an assignee for a new conversation (round-robin), when auto-assignment is on. */
  autoAssign?: (conversation: ConversationRecord) => Promise<void>;
  now: Date;
};

export interface IngestResult {
  applied: number;
  duplicates: number;
  /** Status reports for messages not (yet) known: the caller retries them later. */
  unmatched: string[];
}

/**
 * Applies one channel's canonical events, idempotently: a message already stored (same wamid /
 * mid) is skipped, statuses only move forward, and events apply in provider-timestamp order
 * whatever order the webhooks came in.
 */
export async function ingestChannelEvents(
  deps: IngestDeps,
  channel: ChannelRecord,
  events: CanonicalEvent[],
): Promise<IngestResult> {
  const result: IngestResult = { applied: 0, duplicates: 0, unmatched: [] };
  const ordered = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  const known = await lookUpCustomers(deps, channel, ordered);
  // Consecutive messages are applied together; anything else first waits for those before it.
  let run: MessageEvent[] = [];
  const flush = async () => {
    if (run.length === 0) return;
    const fresh = await ingestMessages(deps, channel, known, run);
    result.applied += fresh;
    result.duplicates += run.length - fresh;
    run = [];
  };
  for (const event of ordered) {
    if (event.type === 'message') {
      run.push(event);
      continue;
    }
    await flush();
    switch (event.type) {
      case 'status': {
        const outcome = await applyStatus(deps, channel, event);
        if (outcome === 'unmatched') result.unmatched.push(event.providerMessageId);
        else result.applied += 1;
        break;
      }
      case 'watermark':
        await applyWatermark(deps, channel, known, event);
        result.applied += 1;
        break;
      case 'account':
        await applyAccountEvent(deps, channel, event);
        result.applied += 1;
        break;
    }
  }
  await flush();
  if (
    !channel.lastWebhookAt ||
    deps.now.getTime() - channel.lastWebhookAt.getTime() >= LAST_WEBHOOK_RESOLUTION_MS
  ) {
    await deps.channels.update(channel.id, { lastWebhookAt: deps.now });
  }
  return result;
}

/**
 * How far behind a channel's "last webhook seen" may be. Writing it on every batch made the
 * channel's row a lock that every worker lane waited on until its transaction committed.
 */
export const LAST_WEBHOOK_RESOLUTION_MS = 10_000;

function eventTime(e: CanonicalEvent): number {
  return e.type === 'watermark' ? e.watermark.getTime() : e.timestamp.getTime();
}

/**
 * The customers these events come from (or, for read watermarks, go to) as far as they are known
 * on the channel: their identities and conversations, looked up together, two statements for a
 * whole batch instead of two per message. Those found missing are created as their first message
 * is applied, and added here.
 */
interface KnownCustomers {
  identities: Map<string, ContactIdentity>;
  /** By contact id. */
  conversations: Map<string, ConversationRecord>;
}

async function lookUpCustomers(
  deps: IngestDeps,
  channel: ChannelRecord,
  events: CanonicalEvent[],
): Promise<KnownCustomers> {
  const externalIds = events.flatMap((e) =>
    e.type === 'message' ? [e.from.externalId] : e.type === 'watermark' ? [e.recipientExternalId] : [],
  );
  const identities = await deps.contacts.findIdentities(channel.id, externalIds);
  const conversations = await deps.conversations.findByContacts(
    channel.id,
    identities.map((i) => i.contactId),
  );
  return {
    identities: new Map(identities.map((i) => [i.externalId, i])),
    conversations: new Map(conversations.map((c) => [c.contactId, c])),
  };
}

async function resolveContact(
  deps: IngestDeps,
  channel: ChannelRecord,
  known: KnownCustomers,
  from: MessageEvent['from'],
): Promise<ContactIdentity> {
  const found = known.identities.get(from.externalId);
  if (found) return found;
  const contactId = newId();
  await deps.contacts.insertContact({
    id: contactId,
    workspaceId: channel.workspaceId,
    name: from.profileName ?? null,
    phone: from.phone ?? null,
    createdAt: deps.now,
  });
  const identity: ContactIdentity = {
    id: newId(),
    contactId,
    channelId: channel.id,
    externalId: from.externalId,
    profileName: from.profileName ?? null,
  };
  await deps.contacts.insertIdentity(identity);
  await requestContactProfile(deps, channel, identity);
  known.identities.set(from.externalId, identity);
  return identity;
}

async function conversationFor(
  deps: IngestDeps,
  channel: ChannelRecord,
  known: KnownCustomers,
  contactId: string,
  at: Date,
): Promise<{ conversation: ConversationRecord; created: boolean }> {
  const existing = known.conversations.get(contactId);
  if (existing) return { conversation: existing, created: false };
  const conversation = {
    id: newId(),
    workspaceId: channel.workspaceId,
    contactId,
    channelId: channel.id,
    status: 'open' as const,
    assigneeId: null,
    teamId: null,
    snoozedUntil: null,
    lastMessageAt: at,
    lastInboundAt: null,
    unreadCount: 0,
    lastPreview: null,
  };
  await deps.conversations.insert(conversation);
  const created = { ...conversation, labelIds: [], createdAt: deps.now, updatedAt: deps.now };
  known.conversations.set(contactId, created);
  return { conversation: created, created: true };
}

/**
 * Applies a run of messages (consecutive in provider-timestamp order): each sender's contact and
 * conversation (created when new), then every message in one statement (those already stored are
 * duplicates and change nothing), then each conversation once with all of its new messages
 * (`joinedMessages`), as applying them one by one would. Returns how many were new.
 */
async function ingestMessages(
  deps: IngestDeps,
  channel: ChannelRecord,
  known: KnownCustomers,
  events: MessageEvent[],
): Promise<number> {
  const rows: { event: MessageEvent; message: NewMessage; conversation: ConversationRecord }[] = [];
  const created = new Set<string>();
  const byProviderId = new Map<string, string>();
  for (const event of events) {
    const identity = await resolveContact(deps, channel, known, event.from);
    const found = await conversationFor(deps, channel, known, identity.contactId, event.timestamp);
    if (found.created) created.add(found.conversation.id);
    const replyToId = event.replyToProviderMessageId
      ? (byProviderId.get(event.replyToProviderMessageId) ??
        (await deps.messages.findByProviderId(channel.id, event.replyToProviderMessageId))?.id ??
        null)
      : null;
    const inbound = !event.echo;
    const message: NewMessage = {
      id: newId(),
      workspaceId: channel.workspaceId,
      conversationId: found.conversation.id,
      channelId: channel.id,
      direction: inbound ? 'inbound' : 'outbound',
      kind: 'message',
      content: event.content,
      referral: event.referral ?? null,
      providerMessageId: event.providerMessageId,
      replyToId,
      status: inbound ? 'received' : 'sent',
      error: null,
      providerTimestamp: event.timestamp,
      statusAt: null,
      authorType: inbound ? 'customer' : 'echo',
      authorId: null,
      humanAgent: false,
      idempotencyKey: null,
      requestHash: null,
      searchText: searchableText(event.content),
    };
    byProviderId.set(event.providerMessageId, message.id);
    rows.push({ event, message, conversation: found.conversation });
  }
  const inserted = await deps.messages.insertMany(rows.map((r) => r.message));
  const joined = new Map<string, typeof rows>();
  for (const row of rows) {
    if (!inserted.has(row.message.id)) continue;
    const { event, message } = row;
    if (isMediaType(event.content.type) && 'media' in event.content) {
      const mediaId = newId();
      await deps.media.insert({
        id: mediaId,
        messageId: message.id,
        mimeType: event.content.media.mimeType ?? null,
      });
      await deps.jobs.enqueue('media.fetch', mediaId);
    }
    const joining = joined.get(message.conversationId);
    if (joining) joining.push(row);
    else joined.set(message.conversationId, [row]);
  }
  for (const [conversationId, joining] of joined) {
    const updated = await deps.conversations.recordMessages(
      conversationId,
      joinedMessages(
        joining.map(({ event }) => ({
          at: event.timestamp,
          inbound: !event.echo,
          preview: previewOf(event.content),
        })),
      ),
    );
    if (created.has(conversationId)) {
      await deps.realtime.append({ type: 'conversation.created', conversationId });
      // Assigned when the customer wrote (not when only our own echoes opened it).
      const customerWrote = joining.some(({ event }) => !event.echo);
      if (customerWrote && deps.autoAssign) await deps.autoAssign(updated);
    }
    for (const { message } of joining) {
      await deps.realtime.append({
        type: 'message.created',
        conversationId,
        messageId: message.id,
        data: { direction: message.direction },
      });
    }
    await deps.realtime.append({
      type: 'conversation.updated',
      conversationId,
      data: { status: updated.status, unreadCount: updated.unreadCount },
    });
  }
  return inserted.size;
}

async function findStatusTarget(
  deps: IngestDeps,
  channel: ChannelRecord,
  event: StatusEvent,
): Promise<MessageRecord | null> {
  const byProvider = await deps.messages.findByProviderId(channel.id, event.providerMessageId);
  if (byProvider) return byProvider;
  // Our own message id travels in biz_opaque_callback_data: a status may arrive before the send
  // worker has stored the provider's id (or after it crashed before storing it).
  if (!event.callbackData || !isUuid(event.callbackData)) return null;
  const ours = await deps.messages.get(event.callbackData.toLowerCase());
  if (!ours || ours.channelId !== channel.id || ours.direction !== 'outbound') return null;
  if (ours.providerMessageId && ours.providerMessageId !== event.providerMessageId) return null;
  if (!ours.providerMessageId) await deps.messages.setProviderId(ours.id, event.providerMessageId);
  return { ...ours, providerMessageId: event.providerMessageId };
}

async function applyStatus(
  deps: IngestDeps,
  channel: ChannelRecord,
  event: StatusEvent,
): Promise<'applied' | 'unchanged' | 'unmatched'> {
  const message = await findStatusTarget(deps, channel, event);
  if (!message) return 'unmatched';
  const next = advanceStatus(message.status, event.status);
  if (!next) return 'unchanged';
  const error =
    next === 'failed' && event.error
      ? { code: event.error.code, class: event.error.class ?? 'unknown', title: event.error.title }
      : null;
  await deps.messages.setStatus(message.id, next, event.timestamp, error);
  if (error?.class === 'auth_revoked') {
    await deps.channels.update(channel.id, {
      status: 'auth_revoked',
      tokenValid: false,
      lastError: { ...error, at: event.timestamp.toISOString() },
    });
  }
  await deps.realtime.append({
    type: 'message.updated',
    conversationId: message.conversationId,
    messageId: message.id,
    data: { status: next, ...(error ? { error } : {}) },
  });
  return 'applied';
}

async function applyWatermark(
  deps: IngestDeps,
  channel: ChannelRecord,
  known: KnownCustomers,
  event: WatermarkEvent,
): Promise<void> {
  const identity = known.identities.get(event.recipientExternalId);
  const conversation = identity ? known.conversations.get(identity.contactId) : undefined;
  if (!conversation) return;
  const targets = await deps.messages.outboundBefore(
    conversation.id,
    event.watermark,
    statusesBelow(event.status),
  );
  for (const m of targets) {
    await deps.messages.setStatus(m.id, event.status, event.watermark, null);
    await deps.realtime.append({
      type: 'message.updated',
      conversationId: conversation.id,
      messageId: m.id,
      data: { status: event.status },
    });
  }
}

async function applyAccountEvent(
  deps: IngestDeps,
  channel: ChannelRecord,
  event: AccountEvent,
): Promise<void> {
  const data = event.data;
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  if (event.field === 'phone_number_quality_update') {
    const tier = str(data.max_daily_conversations_per_business) ?? str(data.current_limit);
    const quality = str(data.quality_rating) ?? (str(data.event) === 'DOWNGRADE' ? 'YELLOW' : undefined);
    await deps.channels.update(channel.id, {
      ...(tier ? { messagingTier: tier } : {}),
      ...(quality ? { qualityRating: quality } : {}),
    });
  } else if (event.field === 'business_capability_update') {
    const tier = str(data.max_daily_conversations_per_business);
    if (tier) await deps.channels.update(channel.id, { messagingTier: tier });
  } else {
    return;
  }
  await deps.realtime.append({ type: 'channel.updated', data: { channelId: channel.id } });
}
