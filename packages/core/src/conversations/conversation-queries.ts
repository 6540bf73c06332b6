import { DomainError } from '../shared/domain-error.ts';
import { decodeTimeCursor } from '../shared/cursor.ts';
import { authorize, type Actor } from '../workspaces/actor.ts';
import type { Page } from '../workspaces/workspace-store.ts';
import { searchWords } from './message-text.ts';
import type { ContactIdentity, ContactRecord, ConversationRecord, MessageRecord } from './model.ts';
import { loadConversation } from './send-message.ts';
import type {
  ContactStore,
  ConversationFilter,
  ConversationStore,
  JobQueue,
  MessageStore,
  RealtimeLog,
} from './ports.ts';

export type ConversationListInput = Omit<ConversationFilter, 'searchTokens'> & {
  /** Words that must all appear in one of the conversation's messages. */
  search?: string;
  cursor: string | null;
  limit: number;
};

export async function listConversations(
  deps: { conversations: ConversationStore; blindIndex: (word: string) => Promise<string> },
  actor: Actor,
  input: ConversationListInput,
): Promise<Page<ConversationRecord>> {
  authorize(actor, 'conversations.read');
  const { search, cursor, limit, ...filter } = input;
  let searchTokens: string[] | undefined;
  if (search !== undefined) {
    const words = searchWords(search);
    if (words.length === 0) {
      throw new DomainError(
        'validation_failed',
        'Search for at least one word of two or more letters or digits.',
      );
    }
    searchTokens = await Promise.all(words.map((w) => deps.blindIndex(w)));
  }
  return deps.conversations.list({ ...filter, ...(searchTokens ? { searchTokens } : {}) }, { cursor, limit });
}

export async function getConversation(
  deps: { conversations: ConversationStore },
  actor: Actor,
  id: string,
): Promise<ConversationRecord> {
  authorize(actor, 'conversations.read');
  return loadConversation(deps, id);
}

/** The conversation's messages and notes, newest first, by provider timestamp. */
export async function conversationTimeline(
  deps: { conversations: ConversationStore; messages: MessageStore },
  actor: Actor,
  input: { conversationId: string; before: string | null; limit: number },
): Promise<Page<MessageRecord>> {
  authorize(actor, 'conversations.read');
  if (input.before) decodeTimeCursor(input.before); // a bad cursor is the caller's error, whatever the id
  const conversation = await loadConversation(deps, input.conversationId);
  return deps.messages.timeline(conversation.id, { before: input.before, limit: input.limit });
}

export async function getMessage(
  deps: { messages: MessageStore },
  actor: Actor,
  id: string,
): Promise<MessageRecord> {
  authorize(actor, 'conversations.read');
  const message = await deps.messages.get(id);
  if (!message) throw new DomainError('not_found', 'Message not found.');
  return message;
}

export async function getContact(
  deps: { contacts: ContactStore },
  actor: Actor,
  id: string,
): Promise<{ contact: ContactRecord; identities: ContactIdentity[] }> {
  authorize(actor, 'conversations.read');
  const contact = await deps.contacts.get(id);
  if (!contact) throw new DomainError('not_found', 'Contact not found.');
  return { contact, identities: await deps.contacts.identities(contact.id) };
}

/**
 * The agent has read the conversation: unread count to zero, and a read receipt for the
 * customer's newest message is queued (blue ticks on WhatsApp, "seen" on Messenger).
 */
export async function markConversationRead(
  deps: { conversations: ConversationStore; messages: MessageStore; jobs: JobQueue; realtime: RealtimeLog },
  actor: Actor,
  id: string,
): Promise<ConversationRecord> {
  authorize(actor, 'conversations.write');
  const conversation = await loadConversation(deps, id);
  if (conversation.unreadCount > 0) {
    await deps.conversations.update(id, { unreadCount: 0 });
    const latest = await deps.messages.latestInbound(id);
    if (latest?.providerMessageId) await deps.jobs.enqueue('message.read_receipt', latest.id);
    await deps.realtime.append({
      type: 'conversation.updated',
      conversationId: id,
      data: { status: conversation.status, unreadCount: 0 },
    });
  }
  return { ...conversation, unreadCount: 0 };
}

/** An agent is typing in a conversation: shown live to the rest of the team. */
export async function reportTyping(
  deps: { conversations: ConversationStore; realtime: RealtimeLog },
  actor: Actor,
  id: string,
): Promise<void> {
  authorize(actor, 'conversations.write');
  await loadConversation(deps, id);
  await deps.realtime.append({
    type: 'typing',
    conversationId: id,
    userId: actor.kind === 'user' ? actor.userId : null,
  });
}
