import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { RealtimeEventInput, RealtimeEventType, RealtimeLog } from '@parley/core/conversations/ports';
import { queryRows, type Tx } from '../database.ts';
import { realtimeCursors, realtimeEvents } from '../schema/index.ts';

/** The NOTIFY channel of the realtime log; payloads are `<workspaceId>:<seq>` (ids only). */
export const REALTIME_CHANNEL = 'parley_realtime';

export interface RealtimeEventRecord {
  seq: number;
  type: RealtimeEventType;
  conversationId: string | null;
  messageId: string | null;
  userId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

export interface RealtimeRepository extends RealtimeLog {
  /** Appends with consecutive seqs, in order; returns the last seq. */
  append(event: RealtimeEventInput): Promise<number>;
  appendMany(events: RealtimeEventInput[]): Promise<number>;
  /** Events with seq > afterSeq, oldest first. */
  listSince(afterSeq: number, limit: number): Promise<RealtimeEventRecord[]>;
  /** The newest seq handed out (0 before the first event). */
  latestSeq(): Promise<number>;
  /** The oldest seq still retained, or null when no event is. */
  oldestSeq(): Promise<number | null>;
  /**
   * Deletes the oldest events created before `cutoff`: at most `limit` of them, always a run of
   * consecutive seqs from the oldest retained one, stopping at the first event that is young enough
   * (so the log that remains is still gap-free and a stream's first-seq check sees any loss).
   * `done` is false when the run ended only because of `limit`: call again (a new transaction).
   */
  pruneBatch(cutoff: Date, limit: number): Promise<{ deleted: number; done: boolean }>;
}

/**
 * The workspaces that have a realtime log (system scope: `realtime_cursors_system_read`); their
 * events are then pruned in each workspace's own scope.
 */
export async function realtimeWorkspaces(tx: Tx): Promise<string[]> {
  const rows = await tx.select({ workspaceId: realtimeCursors.workspaceId }).from(realtimeCursors);
  return rows.map((r) => r.workspaceId);
}

/** Parses a NOTIFY payload of REALTIME_CHANNEL; null when it is not one. */
export function parseRealtimeNotification(payload: string): { workspaceId: string; seq: number } | null {
  const m = /^([0-9a-f-]{36}):(\d{1,15})$/.exec(payload);
  return m?.[1] && m[2] ? { workspaceId: m[1], seq: Number(m[2]) } : null;
}

/**
 * The realtime log of one workspace (runs in that workspace's RLS scope). Seqs are gap-free:
 * `append` takes the next one from `realtime_cursors` under its row lock, held until the
 * transaction ends, so appenders of a workspace commit in seq order and a reader that sees
 * seq N+1 also sees N. A rolled-back append gives its seq back with the cursor.
 */
export function realtimeRepository(tx: Tx, workspaceId: string): RealtimeRepository {
  /**
   * One round trip for any number of events: take the next seqs (the cursor's row lock), write
   * the events in order, and queue one NOTIFY for the last seq (a listener reads everything after
   * what it has, so one wake-up covers them all); listeners get it when — and only if — the
   * transaction commits. Returns the last seq.
   */
  const appendMany = async (events: RealtimeEventInput[]): Promise<number> => {
    if (events.length === 0) return latestSeq();
    const column = <T>(pick: (e: RealtimeEventInput) => T) => sql.param(events.map(pick));
    const [row] = await queryRows<{ seq: number | string }>(
      tx,
      sql`with cursor as (
            insert into realtime_cursors (workspace_id, last_seq) values (${workspaceId}::uuid, ${events.length})
            on conflict (workspace_id) do update set last_seq = realtime_cursors.last_seq + ${events.length}
            returning last_seq),
          event as (
            insert into realtime_events (workspace_id, seq, type, conversation_id, message_id, user_id, data)
            select ${workspaceId}::uuid, cursor.last_seq - ${events.length} + e.ord, e.type, e.conversation_id,
                   e.message_id, e.user_id, e.data::jsonb
            from cursor,
                 unnest(${column((e) => e.type)}::text[], ${column((e) => e.conversationId ?? null)}::uuid[],
                        ${column((e) => e.messageId ?? null)}::uuid[], ${column((e) => e.userId ?? null)}::uuid[],
                        ${column((e) => JSON.stringify(e.data ?? {}))}::text[])
                   with ordinality as e(type, conversation_id, message_id, user_id, data, ord))
          select last_seq as seq, pg_notify(${REALTIME_CHANNEL}::text, ${`${workspaceId}:`}::text || last_seq) as notified
          from cursor`,
    );
    if (!row) throw new Error('realtime cursor: no row returned');
    return Number(row.seq);
  };

  const latestSeq = async (): Promise<number> => {
    const [row] = await tx
      .select({ seq: realtimeCursors.lastSeq })
      .from(realtimeCursors)
      .where(eq(realtimeCursors.workspaceId, workspaceId));
    return row?.seq ?? 0;
  };

  return {
    append: async (event: RealtimeEventInput) => appendMany([event]),

    appendMany,

    async listSince(afterSeq, limit) {
      const rows = await tx
        .select({
          seq: realtimeEvents.seq,
          type: realtimeEvents.type,
          conversationId: realtimeEvents.conversationId,
          messageId: realtimeEvents.messageId,
          userId: realtimeEvents.userId,
          data: realtimeEvents.data,
          createdAt: realtimeEvents.createdAt,
        })
        .from(realtimeEvents)
        .where(and(eq(realtimeEvents.workspaceId, workspaceId), gt(realtimeEvents.seq, afterSeq)))
        .orderBy(asc(realtimeEvents.seq))
        .limit(limit);
      // `type` is only ever written from RealtimeEventType.
      return rows.map((r) => ({ ...r, type: r.type as RealtimeEventType }));
    },

    latestSeq,

    async oldestSeq() {
      const [row] = await queryRows<{ seq: number | string | null }>(
        tx,
        sql`select min(seq)::int8 as seq from realtime_events where workspace_id = ${workspaceId}`,
      );
      return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
    },

    async pruneBatch(cutoff, limit) {
      // Only the seq range [oldest, oldest + limit) is looked at (primary key range scans), so a
      // statement costs at most `limit` rows however large the backlog.
      const [row] = await queryRows<{ deleted: number; young: boolean | null; beyond: boolean | null }>(
        tx,
        sql`with lo as (
              select min(seq) as lo from realtime_events where workspace_id = ${workspaceId}),
            head as (
              select e.seq, e.created_at from realtime_events e, lo
              where e.workspace_id = ${workspaceId} and e.seq >= lo.lo and e.seq < lo.lo + ${limit}::int),
            cut as (
              select min(seq) filter (where created_at >= ${cutoff.toISOString()}::timestamptz) as keep_from
              from head),
            gone as (
              delete from realtime_events e using lo, cut
              where e.workspace_id = ${workspaceId} and e.seq >= lo.lo
                and e.seq < coalesce(cut.keep_from, lo.lo + ${limit}::int)
              returning 1)
            select (select count(*) from gone)::int as deleted,
                   (select keep_from is not null from cut) as young,
                   (select exists (select 1 from realtime_events e where e.workspace_id = ${workspaceId}
                                   and e.seq >= lo.lo + ${limit}::int) from lo) as beyond`,
      );
      const deleted = row?.deleted ?? 0;
      return { deleted, done: deleted === 0 || row?.young === true || row?.beyond !== true };
    },
  };
}
