import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { newId, type FieldCipher } from '@parley/core';
import { queryRows, type Tx } from '../database.ts';
import { webhookEvents } from '../schema/index.ts';

const BODY = 'webhook_events.body';

export interface WebhookEventSummary {
  id: string;
  workspaceId: string | null;
  appId: string | null;
  object: string | null;
  status: 'pending' | 'done' | 'dead';
  attempts: number;
  receivedAt: Date;
  processedAt: Date | null;
  lastError: string | null;
}

export interface ClaimedWebhookEvent {
  id: string;
  attempts: number;
  body: Buffer;
}

export interface NewWebhookEvent {
  appId: string;
  object: string | null;
  body: Buffer;
  receivedAt: Date;
}

/**
 * Raw webhook deliveries (system scope), encrypted with the platform key. Identical bytes are one
 * event: Meta's retries of an unacknowledged delivery are absorbed here.
 */
export function webhookEventRepository(tx: Tx, platformCipher: FieldCipher) {
  /**
   * Stores verified deliveries in one statement; for each, whether it was new (false when the
   * same bytes were stored before, or come earlier in the same call). The rows travel as one
   * array per column (unnest): the statement's size and the cost of building it do not grow
   * with the number of parameters.
   */
  const insertMany = async (inputs: NewWebhookEvent[]): Promise<boolean[]> => {
    if (inputs.length === 0) return [];
    const rows = await Promise.all(
      inputs.map(async (input) => ({
        id: newId(),
        appId: input.appId,
        object: input.object,
        body: (await platformCipher.encrypt(input.body, BODY)).toString('base64'),
        bodyHash: createHash('sha256').update(input.body).digest('hex'),
        receivedAt: input.receivedAt.toISOString(),
      })),
    );
    // In hash order, so concurrent calls take the unique index's locks in the same order.
    const ordered = [...rows].sort((a, b) =>
      a.bodyHash < b.bodyHash ? -1 : a.bodyHash > b.bodyHash ? 1 : 0,
    );
    const column = <K extends keyof (typeof rows)[number]>(key: K) => sql.param(ordered.map((r) => r[key]));
    const stored = await queryRows<{ body_hash: string }>(
      tx,
      sql`insert into webhook_events (id, app_id, object, body, body_hash, received_at, next_attempt_at)
          select id, app_id, object, decode(body, 'base64'), body_hash, received_at, received_at
          from unnest(${column('id')}::uuid[], ${column('appId')}::text[], ${column('object')}::text[],
                      ${column('body')}::text[], ${column('bodyHash')}::text[], ${column('receivedAt')}::timestamptz[])
            as d(id, app_id, object, body, body_hash, received_at)
          on conflict do nothing
          returning body_hash`,
    );
    const fresh = new Set(stored.map((r) => r.body_hash));
    return rows.map((r) => fresh.delete(r.bodyHash));
  };

  return {
    /** Stores a verified delivery; false when the same bytes were stored before. */
    async insert(input: NewWebhookEvent): Promise<boolean> {
      const [stored] = await insertMany([input]);
      return stored === true;
    },

    insertMany,

    /** Claims pending events (FOR UPDATE SKIP LOCKED) with a lease, oldest first. */
    async claim(input: { now: Date; limit: number; leaseMs: number }): Promise<ClaimedWebhookEvent[]> {
      const now = input.now.toISOString();
      const until = new Date(input.now.getTime() + input.leaseMs).toISOString();
      const rows = await queryRows<{ id: string; attempts: number; body: Uint8Array }>(
        tx,
        sql`update webhook_events set locked_until = ${until}::timestamptz, attempts = attempts + 1
            where id in (
              select id from webhook_events
              where status = 'pending' and next_attempt_at <= ${now}::timestamptz
                and (locked_until is null or locked_until < ${now}::timestamptz)
              order by next_attempt_at limit ${input.limit}
              for update skip locked)
            returning id, attempts, body`,
      );
      return Promise.all(
        rows.map(async (r) => ({
          id: r.id,
          attempts: r.attempts,
          body: await platformCipher.decrypt(Buffer.from(r.body), BODY),
        })),
      );
    },

    /** Marks processed deliveries done, in one statement. */
    async finishDone(ids: string[], at: Date): Promise<void> {
      if (ids.length === 0) return;
      await tx
        .update(webhookEvents)
        .set({ status: 'done', processedAt: at, lockedUntil: null, lastError: null })
        .where(inArray(webhookEvents.id, ids));
    },

    async finish(
      id: string,
      outcome:
        | { status: 'done'; at: Date }
        | { status: 'retry'; at: Date; error: string }
        | { status: 'dead'; at: Date; error: string; workspaceId: string | null },
    ): Promise<void> {
      if (outcome.status === 'retry') {
        await tx
          .update(webhookEvents)
          .set({ nextAttemptAt: outcome.at, lockedUntil: null, lastError: outcome.error.slice(0, 1000) })
          .where(eq(webhookEvents.id, id));
        return;
      }
      await tx
        .update(webhookEvents)
        .set({
          status: outcome.status,
          processedAt: outcome.at,
          lockedUntil: null,
          ...(outcome.status === 'dead'
            ? { lastError: outcome.error.slice(0, 1000), workspaceId: outcome.workspaceId }
            : { lastError: null }),
        })
        .where(eq(webhookEvents.id, id));
    },
  };
}

/** Dead letters visible in the current scope (a workspace's own, or all for the operator). */
export async function listDeadWebhookEvents(
  tx: Tx,
  page: { before: string | null; limit: number },
): Promise<WebhookEventSummary[]> {
  const rows = await tx
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.status, 'dead'), page.before ? lt(webhookEvents.id, page.before) : undefined))
    .orderBy(desc(webhookEvents.id))
    .limit(page.limit);
  return rows.map(summary);
}

export async function getWebhookEvent(tx: Tx, id: string): Promise<WebhookEventSummary | null> {
  const [row] = await tx.select().from(webhookEvents).where(eq(webhookEvents.id, id));
  return row ? summary(row) : null;
}

/** The stored bytes of an event, decrypted with the platform key (the caller switches scope). */
export async function webhookEventBody(
  tx: Tx,
  platformCipher: FieldCipher,
  id: string,
): Promise<Buffer | null> {
  const [row] = await tx
    .select({ body: webhookEvents.body })
    .from(webhookEvents)
    .where(eq(webhookEvents.id, id));
  return row ? platformCipher.decrypt(row.body, BODY) : null;
}

/** Puts a dead letter back in the queue; processing is idempotent, so a replay never doubles. */
export async function replayWebhookEvent(tx: Tx, id: string, now: Date): Promise<boolean> {
  const rows = await tx
    .update(webhookEvents)
    .set({ status: 'pending', nextAttemptAt: now, lockedUntil: null, attempts: 0 })
    .where(and(eq(webhookEvents.id, id), eq(webhookEvents.status, 'dead')))
    .returning({ id: webhookEvents.id });
  return rows.length > 0;
}

function summary(r: typeof webhookEvents.$inferSelect): WebhookEventSummary {
  return {
    id: r.id,
    workspaceId: r.workspaceId,
    appId: r.appId,
    object: r.object,
    status: r.status as WebhookEventSummary['status'],
    attempts: r.attempts,
    receivedAt: r.receivedAt,
    processedAt: r.processedAt,
    lastError: r.lastError,
  };
}
