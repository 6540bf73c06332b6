import { DomainError } from '../shared/domain-error.ts';
import { authorize, type Actor } from '../workspaces/actor.ts';
import type { SnoozeStore } from './inbox-ports.ts';
import type { ConversationRecord, ConversationStatus } from './model.ts';
import type { ConversationStore, RealtimeLog } from './ports.ts';
import { loadConversation } from './send-message.ts';

export interface ChangeStatusInput {
  conversationId: string;
  status: ConversationStatus;
  /** Required for `snoozed` (in the future), refused for any other status. */
  snoozedUntil?: Date;
}

function invalidSnooze(problem: string): DomainError {
  return new DomainError('validation_failed', problem, {
    fields: [{ path: 'body/snoozedUntil', problem }],
  });
}

/**
 * Resolves, reopens, parks (pending) or snoozes a conversation. A snoozed conversation reopens
 * when its time comes (`wakeSnoozedConversations`) or when the customer writes. Not audited.
 */
export async function changeConversationStatus(
  deps: { conversations: ConversationStore; realtime: RealtimeLog; now: Date },
  actor: Actor,
  input: ChangeStatusInput,
): Promise<ConversationRecord> {
  authorize(actor, 'conversations.write');
  let snoozedUntil: Date | null = null;
  if (input.status === 'snoozed') {
    if (!input.snoozedUntil) throw invalidSnooze('Say until when to snooze the conversation.');
    if (input.snoozedUntil.getTime() <= deps.now.getTime()) {
      throw invalidSnooze('Snooze until a time in the future.');
    }
    snoozedUntil = input.snoozedUntil;
  } else if (input.snoozedUntil) {
    throw invalidSnooze('Only a snoozed conversation has a snooze time.');
  }
  const conversation = await loadConversation(deps, input.conversationId);
  if (
    conversation.status === input.status &&
    conversation.snoozedUntil?.getTime() === snoozedUntil?.getTime()
  ) {
    return conversation;
  }
  await deps.conversations.update(conversation.id, { status: input.status, snoozedUntil });
  await deps.realtime.append({
    type: 'conversation.updated',
    conversationId: conversation.id,
    data: { status: input.status, snoozedUntil: snoozedUntil?.toISOString() ?? null },
  });
  return loadConversation(deps, conversation.id);
}

/**
 * Reopens the workspace's snoozed conversations whose time has come (at most `limit` per call).
 * Safe to run from several processes: a conversation that
 * was changed or woken meanwhile is left alone. Returns how many were reopened.
 */
export async function wakeSnoozedConversations(
  deps: { conversations: ConversationStore; snoozes: SnoozeStore; realtime: RealtimeLog },
  now: Date,
  limit = 100,
): Promise<number> {
  const due = await deps.conversations.dueSnoozed(now, limit);
  let woken = 0;
  for (const conversation of due) {
    if (!(await deps.snoozes.wakeIfDue(conversation.id, now))) continue;
    woken += 1;
    await deps.realtime.append({
      type: 'conversation.updated',
      conversationId: conversation.id,
      userId: conversation.assigneeId,
      data: { status: 'open', snoozedUntil: null, woken: true },
    });
  }
  return woken;
}
