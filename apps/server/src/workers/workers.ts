import type { AppContext } from '../app-context.ts';
import { runJobBatch, type JobDeps } from './job-runner.ts';
import { processWebhookBatch, webhookClaimSize, type WebhookProcessorOptions } from './webhook-processor.ts';

export interface WorkerOptions extends WebhookProcessorOptions {
  /** Extra periodic work (snooze wake-ups, pruning), run about every `periodicMs`. */
  periodic?: () => Promise<void>;
  periodicMs?: number;
  idleMs?: number;
  batchSize?: number;
}

export interface Workers {
  /** Runs batches until a full round finds nothing to do (tests; the CLI). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The background workers of one process: stored webhooks → canonical events, queued sends,
 * media downloads, read receipts. Any number of processes may run them side by side: every
 * batch is claimed with FOR UPDATE SKIP LOCKED and a lease.
 */
export function startWorkers(ctx: AppContext, deps: JobDeps, opts: WorkerOptions = {}): Workers {
  const idleMs = opts.idleMs ?? 250;
  const batch = opts.batchSize ?? 50;
  let stopped = false;
  let lastPeriodic = 0;

  const round = async (): Promise<number> => {
    let did = await processWebhookBatch(ctx, opts.batchSize ?? webhookClaimSize(ctx), opts);
    did += await runJobBatch(ctx, deps, batch);
    if (opts.periodic && Date.now() - lastPeriodic >= (opts.periodicMs ?? 5000)) {
      lastPeriodic = Date.now();
      await opts.periodic();
    }
    return did;
  };

  const loop = (async () => {
    while (!stopped) {
      let did = 0;
      try {
        did = await round();
      } catch (err) {
        ctx.logger.error({ err }, 'worker round failed');
      }
      if (did === 0 && !stopped) await ctx.work.wait(idleMs);
    }
  })();

  return {
    async drain() {
      while ((await round()) > 0) {
        // keep going until a whole round is idle
      }
    },
    async stop() {
      stopped = true;
      ctx.work.notify();
      await loop;
    },
  };
}
