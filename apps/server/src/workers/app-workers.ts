import type { AppContext } from '../app-context.ts';
import { autoAssignerFor, wakeAllSnoozed } from '../inbox-stores.ts';
import { realtimeRetention } from '../realtime/retention.ts';
import { startWorkers, type WorkerOptions, type Workers } from './workers.ts';

/**
 * The application's background work, as main.ts runs it: webhook processing with round-robin
 * assignment of new conversations, sends, media, read receipts, snooze wake-ups and pruning of the
 * realtime log (every 10 minutes).
 */
export function startAppWorkers(
  ctx: AppContext,
  opts: Pick<WorkerOptions, 'idleMs' | 'periodicMs'> = {},
): Workers {
  const pruneRealtime = realtimeRetention(ctx);
  return startWorkers(
    ctx,
    { gateway: ctx.gateway, storage: ctx.storage },
    {
      autoAssign: autoAssignerFor,
      periodic: async () => {
        await wakeAllSnoozed(ctx);
        await pruneRealtime();
      },
      ...opts,
    },
  );
}
