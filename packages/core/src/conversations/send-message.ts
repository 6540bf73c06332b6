import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import { authorize, type Actor } from '../workspaces/actor.ts';
import type { MediaType, MessageContent } from './canonical.ts';
import type { UploadStore, UploadedFile } from './attachments.ts';
import { joinedMessages, previewOf, searchableText } from './message-text.ts';
import type { ChannelRecord, ConversationRecord, MessageRecord } from './model.ts';
import { checkServiceWindow } from './service-window.ts';
import type {
  ChannelStore,
  ConversationStore,
  JobQueue,
  MediaRecordStore,
  MessageStore,
  RealtimeLog,
} from './ports.ts';

export type SendDeps = {
  channels: ChannelStore;
  conversations: ConversationStore;
  messages: MessageStore;
  jobs: JobQueue;
  realtime: RealtimeLog;
  now: Date;
  /** Needed to send an uploaded file (media by our id). */
  uploads?: UploadStore;
  media?: MediaRecordStore;
};

/** What a caller may send: canonical content, except that a reaction names our message id. */
export type OutboundContent =
  | Exclude<MessageContent, { type: 'reaction' | 'interactive_reply' | 'unsupported' }>
  | { type: 'reaction'; messageId: string; emoji: string }
  /** A file uploaded with `uploadAttachment`, named by the id it returned. */
  | { type: MediaType; media: { id: string; caption?: string; filename?: string } };

export interface SendMessageInput {
  conversationId: string;
  content: OutboundContent;
  replyToMessageId?: string;
  /** The client's Idempotency-Key and a hash of its request: a retry returns the first message. */
  idempotencyKey?: string;
  requestHash?: string;
}

export async function loadConversation(
  deps: { conversations: ConversationStore },
  id: string,
): Promise<ConversationRecord> {
  const conversation = await deps.conversations.get(id);
  if (!conversation) throw new DomainError('not_found', 'Conversation not found.');
  return conversation;
}

function usableChannel(channel: ChannelRecord | null): ChannelRecord {
  if (!channel) throw new DomainError('not_found', 'Channel not found.');
  if (channel.status === 'auth_revoked') {
    throw new DomainError(
      'channel_unavailable',
      'Meta no longer accepts this channel’s access token. An admin must reconnect the channel in Settings → Channels.',
      { channelStatus: channel.status },
    );
  }
  if (channel.status !== 'active') {
    throw new DomainError('channel_unavailable', 'This channel is disconnected.', {
      channelStatus: channel.status,
    });
  }
  return channel;
}

type Upload = UploadedFile & { storageKey: string };

async function resolveContent(
  deps: SendDeps,
  conversation: ConversationRecord,
  content: OutboundContent,
): Promise<{ content: MessageContent; upload: Upload | null }> {
  if (content.type === 'reaction') {
    const target = await deps.messages.get(content.messageId);
    if (!target || target.conversationId !== conversation.id || !target.providerMessageId) {
      throw new DomainError('not_found', 'The message to react to was not found in this conversation.');
    }
    return {
      content: { type: 'reaction', targetProviderMessageId: target.providerMessageId, emoji: content.emoji },
      upload: null,
    };
  }
  if ('media' in content && 'id' in content.media && typeof content.media.id === 'string') {
    return resolveUpload(deps, conversation, content.type, content.media);
  }
  return { content: content as MessageContent, upload: null };
}

/** Media by our id: a file uploaded to this conversation, not sent yet, of the type named. */
async function resolveUpload(
  deps: SendDeps,
  conversation: ConversationRecord,
  type: MediaType,
  ref: { id: string; caption?: string; filename?: string },
): Promise<{ content: MessageContent; upload: Upload }> {
  if (!deps.uploads || !deps.media) throw new Error('sendMessage: uploads need the upload and media stores');
  const upload = await deps.uploads.get(ref.id);
  if (!upload || upload.conversationId !== conversation.id) {
    throw new DomainError(
      'not_found',
      'The uploaded file was not found in this conversation. Upload it again.',
    );
  }
  if (await deps.media.get(upload.id)) {
    throw new DomainError(
      'media_already_sent',
      'This uploaded file was already sent. Upload it again to send it once more.',
    );
  }
  if (upload.mediaType !== type) {
    throw new DomainError(
      'media_type_mismatch',
      `The uploaded file is ${upload.mimeType}, which is sent as ${upload.mediaType}, not ${type}.`,
      { mediaType: upload.mediaType },
    );
  }
  if (ref.caption && (type === 'audio' || type === 'sticker')) {
    throw new DomainError('validation_failed', `A ${type} cannot have a caption.`);
  }
  const filename = ref.filename ?? upload.filename ?? undefined;
  return {
    content: {
      type,
      media: {
        mimeType: upload.mimeType,
        ...(ref.caption ? { caption: ref.caption } : {}),
        ...(type === 'document' && filename ? { filename } : {}),
      },
    },
    upload,
  };
}

function checkIdempotentReplay(existing: MessageRecord, input: SendMessageInput): MessageRecord {
  if (
    existing.requestHash !== (input.requestHash ?? null) ||
    existing.conversationId !== input.conversationId
  ) {
    throw new DomainError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different request. Use a new key for a new message.',
    );
  }
  return existing;
}

/**
 * Queues a message to the customer after checking the messaging window. With an idempotency key,
 * a retried request returns the message created the first time (nothing is sent twice).
 */
export async function sendMessage(
  deps: SendDeps,
  actor: Actor,
  input: SendMessageInput,
): Promise<{ message: MessageRecord; replayed: boolean }> {
  authorize(actor, 'conversations.write');
  if (input.idempotencyKey) {
    const existing = await deps.messages.findByIdempotencyKey(input.idempotencyKey);
    if (existing) return { message: checkIdempotentReplay(existing, input), replayed: true };
  }
  const conversation = await loadConversation(deps, input.conversationId);
  const channel = usableChannel(await deps.channels.get(conversation.channelId));
  const { content, upload } = await resolveContent(deps, conversation, input.content);
  const decision = checkServiceWindow({
    kind: channel.kind,
    content,
    lastInboundAt: conversation.lastInboundAt,
    now: deps.now,
    typedByHuman: actor.kind === 'user',
  });
  let replyToId: string | null = null;
  if (input.replyToMessageId) {
    const target = await deps.messages.get(input.replyToMessageId);
    if (!target || target.conversationId !== conversation.id) {
      throw new DomainError('not_found', 'The message to reply to was not found in this conversation.');
    }
    replyToId = target.id;
  }
  const message: MessageRecord = {
    id: newId(),
    workspaceId: conversation.workspaceId,
    conversationId: conversation.id,
    channelId: channel.id,
    direction: 'outbound',
    kind: 'message',
    content,
    referral: null,
    providerMessageId: null,
    replyToId,
    status: 'queued',
    error: null,
    providerTimestamp: deps.now,
    statusAt: deps.now,
    authorType: actor.kind === 'user' ? 'user' : 'api_key',
    authorId: actor.kind === 'user' ? actor.userId : actor.apiKeyId,
    humanAgent: decision.humanAgentTag,
    idempotencyKey: input.idempotencyKey ?? null,
    requestHash: input.requestHash ?? null,
    media: null,
    createdAt: deps.now,
  };
  const inserted = await deps.messages.insert({ ...message, searchText: searchableText(content) });
  if (!inserted && input.idempotencyKey) {
    // A concurrent retry with the same key won the race.
    const winner = await deps.messages.findByIdempotencyKey(input.idempotencyKey);
    if (winner) return { message: checkIdempotentReplay(winner, input), replayed: true };
  }
  if (upload && deps.media) {
    await deps.media.insertUploaded({
      id: upload.id,
      messageId: message.id,
      mimeType: upload.mimeType,
      sizeBytes: upload.sizeBytes,
      sha256: upload.sha256,
      storageKey: upload.storageKey,
    });
    message.media = {
      id: upload.id,
      status: 'stored',
      mimeType: upload.mimeType,
      sizeBytes: upload.sizeBytes,
    };
  }
  await deps.jobs.enqueue('message.send', message.id);
  await afterOutbound(deps, conversation, message);
  return { message, replayed: false };
}

async function afterOutbound(deps: SendDeps, conversation: ConversationRecord, message: MessageRecord) {
  const updated = await deps.conversations.recordMessages(
    conversation.id,
    joinedMessages([
      {
        at: message.providerTimestamp,
        inbound: false,
        preview: message.kind === 'note' ? null : previewOf(message.content),
      },
    ]),
  );
  await deps.realtime.append({
    type: 'message.created',
    conversationId: conversation.id,
    messageId: message.id,
    data: { direction: 'outbound', kind: message.kind },
  });
  await deps.realtime.append({
    type: 'conversation.updated',
    conversationId: conversation.id,
    data: { status: updated.status, unreadCount: updated.unreadCount },
  });
}

/** A private note: stored in the timeline for the team, never sent to the customer. */
export async function addNote(
  deps: SendDeps,
  actor: Actor,
  input: { conversationId: string; text: string },
): Promise<MessageRecord> {
  authorize(actor, 'conversations.write');
  const text = input.text.trim();
  if (!text) throw new DomainError('validation_failed', 'A note needs some text.');
  const conversation = await loadConversation(deps, input.conversationId);
  const note: MessageRecord = {
    id: newId(),
    workspaceId: conversation.workspaceId,
    conversationId: conversation.id,
    channelId: conversation.channelId,
    direction: 'outbound',
    kind: 'note',
    content: { type: 'text', text },
    referral: null,
    providerMessageId: null,
    replyToId: null,
    status: 'note',
    error: null,
    providerTimestamp: deps.now,
    statusAt: null,
    authorType: actor.kind === 'user' ? 'user' : 'api_key',
    authorId: actor.kind === 'user' ? actor.userId : actor.apiKeyId,
    humanAgent: false,
    idempotencyKey: null,
    requestHash: null,
    media: null,
    createdAt: deps.now,
  };
  await deps.messages.insert({ ...note, searchText: text });
  await afterOutbound(deps, conversation, note);
  return note;
}
