import { and, eq, lte, sql } from 'drizzle-orm';
import type { SnoozeStore } from '@parley/core';
import type { Tx } from '../database.ts';
import { channels, conversations } from '../schema/index.ts';

/** Wakes snoozed conversations of one workspace, only if they are still snoozed and due. */
export function snoozeRepository(tx: Tx, workspaceId: string): SnoozeStore {
  return {
    async wakeIfDue(conversationId, now) {
      const woken = await tx
        .update(conversations)
        .set({ status: 'open', snoozedUntil: null, updatedAt: sql`now()` })
        .where(
          and(
            eq(conversations.workspaceId, workspaceId),
            eq(conversations.id, conversationId),
            eq(conversations.status, 'snoozed'),
            lte(conversations.snoozedUntil, now),
          ),
        )
        .returning({ id: conversations.id });
      return woken.length > 0;
    },
  };
}

/**
 * The workspaces that can have snoozed conversations (those with a channel), read in the system
 * scope, which sees channels but no conversation: the wake-up loop then works in each one's scope.
 */
export async function snoozeWorkspaces(tx: Tx): Promise<string[]> {
  const rows = await tx.selectDistinct({ workspaceId: channels.workspaceId }).from(channels);
  return rows.map((r) => r.workspaceId);
}
