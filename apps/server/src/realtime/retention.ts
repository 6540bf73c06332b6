import { realtimeRepository, realtimeWorkspaces } from '@parley/db';
import type { AppContext } from '../app-context.ts';

/** Rows deleted per statement (and per transaction): a backlog never holds a long lock. */
export const PRUNE_BATCH = 5000;
/** How often the workers prune (by the application clock). */
export const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Deletes realtime events older than `REALTIME_RETENTION_HOURS` in every workspace. The workspaces
 * with a log are listed in the system scope (their cursors only); each one's events are deleted in
 * that workspace's own scope, `batchSize` at a time, one transaction per batch, oldest first and
 * without gaps (`pruneBatch`). A stream whose position was pruned is told to `resync` (hub.ts).
 * A workspace that fails is logged and skipped; the others are still pruned. Returns how many
 * events were deleted.
 */
export async function pruneRealtimeEvents(
  ctx: AppContext,
  opts: { batchSize?: number } = {},
): Promise<number> {
  const batch = opts.batchSize ?? PRUNE_BATCH;
  const cutoff = new Date(ctx.clock.now().getTime() - ctx.config.realtime.retentionHours * 3_600_000);
  const workspaceIds = await ctx.db.run({ system: true }, (tx) => realtimeWorkspaces(tx));
  let deleted = 0;
  for (const workspaceId of workspaceIds) {
    try {
      for (;;) {
        const step = await ctx.db.run({ workspaceId }, (tx) =>
          realtimeRepository(tx, workspaceId).pruneBatch(cutoff, batch),
        );
        deleted += step.deleted;
        if (step.done) break;
      }
    } catch (err) {
      ctx.logger.error({ err, workspaceId }, 'realtime: pruning old events failed');
    }
  }
  if (deleted > 0) ctx.logger.info({ deleted, cutoff: cutoff.toISOString() }, 'realtime: old events pruned');
  return deleted;
}

/**
 * The workers' periodic pruning: `pruneRealtimeEvents` at most every PRUNE_EVERY_MS (the first call
 * runs it). A failure is logged and tried again at the next interval.
 */
export function realtimeRetention(ctx: AppContext): () => Promise<void> {
  let last: number | null = null;
  return async () => {
    const now = ctx.clock.now().getTime();
    if (last !== null && now - last < PRUNE_EVERY_MS) return;
    last = now;
    try {
      await pruneRealtimeEvents(ctx);
    } catch (err) {
      ctx.logger.error({ err }, 'realtime: pruning failed');
    }
  };
}
