import type { MessageStatus } from './model.ts';

// Outbound statuses only move forward. `failed` sits between sent and delivered: a failure can
// follow `sent`, and on multi-device accounts Meta may still report `delivered` after `failed`
// (the message did arrive), but a late `failed` never undoes `delivered` or `read`.
const RANK: Record<MessageStatus, number> = {
  received: 0,
  note: 0,
  queued: 1,
  sent: 2,
  failed: 3,
  delivered: 4,
  read: 5,
};

/** The status after `incoming` is reported for a message now at `current`; null = no change. */
export function advanceStatus(current: MessageStatus, incoming: MessageStatus): MessageStatus | null {
  if (current === 'received' || current === 'note') return null;
  return RANK[incoming] > RANK[current] ? incoming : null;
}

/** Statuses a report of `status` may still advance. */
export function statusesBelow(status: MessageStatus): MessageStatus[] {
  return (Object.keys(RANK) as MessageStatus[]).filter(
    (s) => s !== 'received' && s !== 'note' && RANK[s] < RANK[status],
  );
}
