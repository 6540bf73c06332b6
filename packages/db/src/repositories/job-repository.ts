import { and, eq, sql } from 'drizzle-orm';
import { newId, type JobKind, type JobQueue } from '@parley/core';
import { queryRows, type Tx } from '../database.ts';
import { jobs } from '../schema/index.ts';

export interface ClaimedJob {
  id: string;
  workspaceId: string;
  kind: JobKind;
  refId: string;
  attempts: number;
}

export function jobQueue(tx: Tx, workspaceId: string, now: () => Date): JobQueue {
  return {
    async enqueue(kind, refId, runAt) {
      await tx
        .insert(jobs)
        .values({ id: newId(), workspaceId, kind, refId, runAt: runAt ?? now() })
        .onConflictDoUpdate({
          target: [jobs.kind, jobs.refId],
          set: { runAt: sql`least(${jobs.runAt}, excluded.run_at)` },
        });
    },
  };
}

/**
 * Claims due jobs across workspaces (system scope) with FOR UPDATE SKIP LOCKED: each gets a lease
 * (`locked_until`); a worker that dies leaves the job to be claimed again when the lease ends.
 */
export async function claimJobs(
  tx: Tx,
  input: { kinds: JobKind[]; now: Date; limit: number; leaseMs: number },
): Promise<ClaimedJob[]> {
  const now = input.now.toISOString();
  const until = new Date(input.now.getTime() + input.leaseMs).toISOString();
  const kinds = sql.join(
    input.kinds.map((k) => sql`${k}`),
    sql`, `,
  );
  return queryRows<ClaimedJob>(
    tx,
    sql`update jobs set locked_until = ${until}::timestamptz, attempts = attempts + 1
        where id in (
          select id from jobs
          where kind in (${kinds}) and run_at <= ${now}::timestamptz
            and (locked_until is null or locked_until < ${now}::timestamptz)
          order by run_at limit ${input.limit}
          for update skip locked)
        returning id, workspace_id as "workspaceId", kind, ref_id as "refId", attempts`,
  );
}

/** Finishes a job (workspace scope). */
export async function completeJob(tx: Tx, id: string): Promise<void> {
  await tx.delete(jobs).where(eq(jobs.id, id));
}

/**
 * Schedules another attempt (workspace scope). The error is stored without NUL characters, which
 * PostgreSQL text cannot hold: recording a failure must not fail.
 */
export async function retryJob(tx: Tx, id: string, runAt: Date, error: string): Promise<void> {
  await tx
    .update(jobs)
    .set({ runAt, lockedUntil: null, lastError: error.replaceAll('\u0000', '').slice(0, 500) })
    .where(and(eq(jobs.id, id)));
}

/** The earliest moment a job becomes due (for the worker's sleep), or null. */
export async function nextJobDue(tx: Tx): Promise<Date | null> {
  const [row] = await queryRows<{ at: string | Date | null }>(
    tx,
    sql`select min(greatest(run_at, coalesce(locked_until, run_at))) as at from jobs`,
  );
  return row?.at ? new Date(row.at) : null;
}
