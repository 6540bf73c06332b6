import type { AppContext } from '../app-context.ts';
import { autoAssignerFor, wakeAllSnoozed } from '../inbox-stores.ts';
import { startWorkers, type WorkerOptions, type Workers } from './workers.ts';

/**
 * The application's background work, as main.ts runs it: webhook processing with round-robin
 * assignment of new conversations, sends, media, read receipts, and snooze wake-ups.
 */
export function startAppWorkers(
  ctx: AppContext,
  opts: Pick<WorkerOptions, 'idleMs' | 'periodicMs'> = {},
): Workers {
  return startWorkers(
    ctx,
    { gateway: ctx.gateway, storage: ctx.storage },
    {
      autoAssign: autoAssignerFor,
      periodic: async () => {
        await wakeAllSnoozed(ctx);
      },
      ...opts,
    },
  );
}
