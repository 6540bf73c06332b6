import {
  autoAssignConversation,
  wakeSnoozedConversations,
  type ConversationRecord,
  type RealtimeLog,
} from '@parley/core';
import {
  agentAvailabilityRepository,
  cannedResponseRepository,
  inboxSettingsRepository,
  labelRepository,
  snoozeRepository,
  snoozeWorkspaces,
  teamRepository,
  type Tx,
} from '@parley/db';
import { conversationStoresFor, type AppContext, type ConversationStores } from './app-context.ts';

/** The team inbox's repositories for one workspace, in one transaction. */
export function inboxStoresFor(tx: Tx, workspaceId: string) {
  return {
    labels: labelRepository(tx, workspaceId),
    teams: teamRepository(tx, workspaceId),
    cannedResponses: cannedResponseRepository(tx, workspaceId),
    settings: inboxSettingsRepository(tx, workspaceId),
    availability: agentAvailabilityRepository(tx, workspaceId),
    snoozes: snoozeRepository(tx, workspaceId),
  };
}

/**
 * `IngestDeps.autoAssign` for one workspace's ingestion transaction: round-robin over the
 * available members when the workspace turned auto-assignment on.
 *
 *   ingestChannelEvents({ ...stores, autoAssign: autoAssignerFor(tx, workspaceId, stores) }, …)
 */
export function autoAssignerFor(
  tx: Tx,
  workspaceId: string,
  stores: Pick<ConversationStores, 'conversations' | 'now'> & { realtime: RealtimeLog },
): (conversation: ConversationRecord) => Promise<void> {
  const inbox = inboxStoresFor(tx, workspaceId);
  return async (conversation) => {
    await autoAssignConversation(
      {
        conversations: stores.conversations,
        realtime: stores.realtime,
        settings: inbox.settings,
        availability: inbox.availability,
        now: stores.now,
      },
      conversation,
    );
  };
}

/**
 * Reopens one workspace's snoozed conversations whose time has come (for the worker loop, once
 * per workspace: conversations are visible only in their workspace's scope). Returns how many.
 */
export async function wakeSnoozedIn(ctx: AppContext, workspaceId: string, limit = 100): Promise<number> {
  return ctx.db.run({ workspaceId }, async (tx) => {
    const stores = conversationStoresFor(ctx, tx, workspaceId);
    return wakeSnoozedConversations(
      { ...stores, snoozes: snoozeRepository(tx, workspaceId) },
      ctx.clock.now(),
      limit,
    );
  });
}

/**
 * Reopens every workspace's snoozed conversations whose time has come (the worker's periodic
 * task): the workspaces are found in the system scope, each is woken in its own transaction and
 * scope. A workspace that fails is logged and skipped. Returns how many conversations reopened.
 */
export async function wakeAllSnoozed(ctx: AppContext, limit = 100): Promise<number> {
  const workspaceIds = await ctx.db.run({ system: true }, (tx) => snoozeWorkspaces(tx));
  let woken = 0;
  for (const workspaceId of workspaceIds) {
    try {
      woken += await wakeSnoozedIn(ctx, workspaceId, limit);
    } catch (err) {
      ctx.logger.error({ err, workspaceId }, 'waking snoozed conversations failed');
    }
  }
  return woken;
}
