import type { FailureClass } from './canonical.ts';
import { advanceStatus } from './message-status.ts';
import { failureToError, type ChannelCredentials, type ChannelRecord, type MessageRecord } from './model.ts';
import type {
  ChannelStore,
  ContactStore,
  ConversationStore,
  MessageStore,
  RealtimeLog,
  SendResult,
} from './ports.ts';

export type DeliveryDeps = {
  channels: ChannelStore;
  contacts: ContactStore;
  conversations: ConversationStore;
  messages: MessageStore;
  realtime: RealtimeLog;
  now: Date;
};

export interface PreparedSend {
  message: MessageRecord;
  channel: ChannelRecord;
  credentials: ChannelCredentials;
  toExternalId: string;
  replyToProviderMessageId?: string;
}

/** The longest a failing send keeps being retried, and how often. */
export const MAX_SEND_ATTEMPTS = 10;
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * Step 1 of a send job (in its own transaction): everything the provider call needs, or null when
 * there is nothing to send any more (already sent, or the message failed terminally here).
 */
export async function prepareSend(deps: DeliveryDeps, messageId: string): Promise<PreparedSend | null> {
  const message = await deps.messages.get(messageId);
  if (!message || message.status !== 'queued' || message.providerMessageId) return null;
  const channel = await deps.channels.get(message.channelId);
  if (!channel || channel.status !== 'active') {
    await fail(deps, message, {
      code: 0,
      class: channel?.status === 'auth_revoked' ? 'auth_revoked' : 'invalid_request',
      title: 'The channel is not connected',
    });
    return null;
  }
  const conversation = await deps.conversations.get(message.conversationId);
  const identities = conversation ? await deps.contacts.identities(conversation.contactId) : [];
  const identity = identities.find((i) => i.channelId === channel.id);
  if (!identity) {
    await fail(deps, message, {
      code: 0,
      class: 'invalid_recipient',
      title: 'The contact has no address on this channel',
    });
    return null;
  }
  const replyTo = message.replyToId ? await deps.messages.get(message.replyToId) : null;
  return {
    message,
    channel,
    credentials: await deps.channels.credentials(channel.id),
    toExternalId: identity.externalId,
    ...(replyTo?.providerMessageId ? { replyToProviderMessageId: replyTo.providerMessageId } : {}),
  };
}

async function fail(
  deps: DeliveryDeps,
  message: MessageRecord,
  error: { code: number; class: FailureClass; title: string },
): Promise<void> {
  await deps.messages.setStatus(message.id, 'failed', deps.now, error);
  await deps.realtime.append({
    type: 'message.updated',
    conversationId: message.conversationId,
    messageId: message.id,
    data: { status: 'failed', error },
  });
}

/** When to try again after a failure of this class on attempt `attempt` (1-based); null = never. */
export function retryDelayMs(cls: FailureClass, attempt: number, retryAfterMs?: number): number | null {
  if (attempt >= MAX_SEND_ATTEMPTS) return null;
  if (cls === 'rate_limited') return retryAfterMs ?? Math.min(60_000, 1000 * 2 ** (attempt - 1));
  if (cls === 'retryable') return Math.min(MAX_BACKOFF_MS, 2000 * 2 ** (attempt - 1));
  return null;
}

/**
 * Step 2 (in a new transaction, after the provider call): records the outcome. Returns when to
 * retry, or null when the job is finished (sent, or failed for good).
 */
export async function recordSendOutcome(
  deps: DeliveryDeps,
  prepared: PreparedSend,
  result: SendResult,
  attempt: number,
): Promise<{ retryInMs: number } | null> {
  const message = (await deps.messages.get(prepared.message.id)) ?? prepared.message;
  if (result.ok) {
    await deps.messages.setProviderId(message.id, result.providerMessageId);
    await markSent(deps, message);
    return null;
  }
  const { failure } = result;
  const delay = retryDelayMs(failure.class, attempt, failure.retryAfterMs);
  if (delay !== null) return { retryInMs: delay };
  await fail(deps, message, failureToError(failure));
  if (failure.class === 'auth_revoked') {
    await deps.channels.update(prepared.channel.id, {
      status: 'auth_revoked',
      tokenValid: false,
      lastError: { ...failureToError(failure), at: deps.now.toISOString() },
    });
    await deps.realtime.append({
      type: 'channel.updated',
      data: { channelId: prepared.channel.id, status: 'auth_revoked' },
    });
  }
  return null;
}

/** Why a send that Parley gave up on failed (shown to the agent with an explanation). */
export const INTERNAL_SEND_FAILURE = {
  code: 0,
  class: 'internal',
  title: 'Parley could not send this message',
} as const satisfies { code: number; class: FailureClass; title: string };

/**
 * A send job that kept failing on our side (a database error, a bug) until its attempts ran out:
 * the message, if it is still waiting to go out, becomes `failed` so the agent sees it did not
 * go. Returns whether it was marked.
 */
export async function abandonSend(deps: DeliveryDeps, messageId: string): Promise<boolean> {
  const message = await deps.messages.get(messageId);
  if (!message || message.status !== 'queued' || message.providerMessageId) return false;
  await fail(deps, message, INTERNAL_SEND_FAILURE);
  return true;
}

/**
 * Meta accepted a send whose outcome could not be recorded (recordSendOutcome threw): the
 * message did go out, so it must not be sent again. It is marked `sent` without the provider's id;
 * the status webhooks, which carry our id in biz_opaque_callback_data, fill that in.
 */
export async function markSentUnrecorded(deps: DeliveryDeps, messageId: string): Promise<void> {
  const message = await deps.messages.get(messageId);
  if (message) await markSent(deps, message);
}

/** `sent`, unless a status webhook (matched by our id in biz_opaque_callback_data) is already ahead. */
async function markSent(deps: DeliveryDeps, message: MessageRecord): Promise<void> {
  if (!advanceStatus(message.status, 'sent')) return;
  await deps.messages.setStatus(message.id, 'sent', deps.now, null);
  await deps.realtime.append({
    type: 'message.updated',
    conversationId: message.conversationId,
    messageId: message.id,
    data: { status: 'sent' },
  });
}

/**
 * An outbound file the team uploaded that Meta does not have yet: the send job uploads it first
 * (its bytes are our stored media) and keeps Meta's id, so a retried send does not upload again.
 */
export function needsMediaUpload(message: MessageRecord): boolean {
  const content = message.content;
  return (
    message.direction === 'outbound' &&
    'media' in content &&
    !content.media.providerMediaId &&
    !content.media.url &&
    message.media?.status === 'stored'
  );
}

/** Keeps the id Meta gave the uploaded file in the message's content; returns the new content. */
export async function recordUploadedMedia(
  deps: { messages: MessageStore },
  message: MessageRecord,
  providerMediaId: string,
): Promise<MessageRecord['content']> {
  const content = message.content;
  if (!('media' in content)) return content;
  const updated = { ...content, media: { ...content.media, providerMediaId } };
  await deps.messages.setContent(message.id, updated);
  return updated;
}
