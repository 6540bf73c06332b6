import { parseMetaWebhook } from '@parley/channels';
import {
  ingestChannelEvents,
  wrappedKeyMasterId,
  type CanonicalEvent,
  type ConversationRecord,
  type RealtimeEventInput,
  type RealtimeLog,
} from '@parley/core';
import {
  dataKeyRepository,
  realtimeRepository,
  routeChannels,
  routeWabaChannels,
  setScope,
  webhookEventRepository,
  type ClaimedWebhookEvent,
  type Tx,
} from '@parley/db';
import { conversationStoresFor, type AppContext, type ConversationStores } from '../app-context.ts';
import { failureText } from './failure-text.ts';

/** A delivery whose processing throws is retried this many times, with backoff, then dead-lettered. */
const MAX_ATTEMPTS = 8;
/** Statuses for messages we do not know yet (the send worker has not stored the id) wait this often. */
const UNMATCHED_RETRIES = 4;
const LEASE_MS = 60_000;
/**
 * Deliveries applied in one transaction on PostgreSQL: most per-transaction round trips saved.
 * PGlite has no round trips to save and answers without yielding to the event loop, so a long
 * transaction there would hold up every request: one delivery at a time.
 */
const CHUNK = { postgres: 16, pglite: 1 } as const;
/** Concurrent processing lanes on PostgreSQL (each holds one pooled connection while it works). */
const LANES = 3;
/**
 * Deliveries claimed at a time. Under a backlog the claim is the slowest statement of a round
 * (claiming 50 at a time, a claim was running during a third of the samples of pg_stat_activity
 * while 50,000 deliveries drained), so on PostgreSQL, when no deliveries are streaming in, it
 * claims two full chunks per lane; while they stream in, the workers are paced and one lane works.
 */
export function webhookClaimSize(ctx: AppContext): number {
  return ctx.config.database.engine === 'postgres' && !ctx.work.receivingNow()
    ? LANES * CHUNK.postgres * 2
    : 50;
}

export interface WebhookProcessorOptions {
  /** Wires automatic assignment of new conversations (null = off). */
  autoAssign?: (
    tx: Tx,
    workspaceId: string,
    stores: Omit<ConversationStores, 'realtime'> & { realtime: RealtimeLog },
  ) => ((c: ConversationRecord) => Promise<void>) | undefined;
}

/**
 * A chunk's realtime events, held back and written at its end, one statement per workspace. A
 * workspace's seq lock is then held for the last statements of the transaction only, not for
 * the whole chunk — and a message costs no realtime round trip of its own.
 */
class DeferredRealtime {
  private readonly events = new Map<string, RealtimeEventInput[]>();

  logFor(workspaceId: string): RealtimeLog {
    return {
      append: async (event) => {
        const list = this.events.get(workspaceId) ?? [];
        list.push(event);
        this.events.set(workspaceId, list);
      },
    };
  }

  /** Writes what was held back, switching to each workspace's scope; returns whether it did. */
  async flush(tx: Tx): Promise<boolean> {
    for (const [workspaceId, events] of this.events) {
      await setScope(tx, { workspaceId });
      await realtimeRepository(tx, workspaceId).appendMany(events);
    }
    return this.events.size > 0;
  }
}

function platformCipher(ctx: AppContext, tx: Tx) {
  return ctx.keyring.fieldCipher(dataKeyRepository(tx, wrappedKeyMasterId), null);
}

const backoffMs = (attempt: number) => Math.min(15 * 60_000, 1000 * 2 ** attempt);

interface Route {
  channelId: string;
  workspaceId: string;
  events: CanonicalEvent[];
}

/** A claimed delivery, parsed: its canonical events and what could not be read. */
interface ParsedDelivery {
  event: ClaimedWebhookEvent;
  events: CanonicalEvent[];
  problems: string[];
}

function parseDelivery(event: ClaimedWebhookEvent): ParsedDelivery {
  let json: unknown;
  try {
    json = JSON.parse(event.body.toString('utf8'));
  } catch {
    return { event, events: [], problems: ['The body is not valid JSON.'] };
  }
  const parsed = parseMetaWebhook(json);
  return { event, events: parsed.events, problems: parsed.problems.map((x) => `${x.path}: ${x.reason}`) };
}

/** Whom a delivery is about (its first event's customer): one customer's deliveries share a lane. */
function laneKey(d: ParsedDelivery): string {
  const first = d.events[0];
  if (!first) return '';
  const who =
    first.type === 'message'
      ? first.from.externalId
      : first.type === 'account'
        ? first.field
        : (first.recipientExternalId ?? first.type);
  return `${first.channel}:${first.accountId}:${who}`;
}

/** One delivery's outcome while its chunk is applied. */
interface Pending {
  event: ClaimedWebhookEvent;
  problems: string[];
  /** Status reports for messages not known yet. */
  unmatched: number;
  workspaces: Set<string>;
}

interface Route {
  channelId: string;
  workspaceId: string;
  events: CanonicalEvent[];
}

/** Channels an event belongs to (cached per account for the chunk). */
async function targetsOf(
  tx: Tx,
  event: CanonicalEvent,
  cache: Map<string, { id: string; workspaceId: string }[]>,
): Promise<{ id: string; workspaceId: string }[]> {
  const key = `${event.type === 'account' ? 'account' : 'event'}:${event.channel}:${event.accountId}`;
  let targets = cache.get(key);
  if (!targets) {
    targets = await routeChannels(tx, event.channel, event.accountId);
    // Account-level WhatsApp events (templates, quality, tier) name the WABA.
    if (targets.length === 0 && event.type === 'account' && event.channel === 'whatsapp') {
      targets = await routeWabaChannels(tx, event.accountId);
    }
    cache.set(key, targets);
  }
  return targets;
}

/**
 * Processes a chunk of stored deliveries in one transaction: parse each, route every event to its
 * channel's workspace, apply each channel's events together (switching the RLS scope to its
 * workspace; idempotent, in provider-timestamp order across the chunk), and settle each row —
 * done, retry later (statuses of messages not known yet), or dead letter with the reason (what
 * could not be parsed or routed). One transaction per chunk instead of per delivery: a burst is
 * worked off with a fraction of the round trips. If anything throws, the whole chunk rolls back
 * and the caller processes its deliveries one by one.
 */
async function processChunk(ctx: AppContext, chunk: ParsedDelivery[], opts: WebhookProcessorOptions) {
  const now = ctx.clock.now();
  await ctx.db.run({ system: true }, async (tx) => {
    const pending: Pending[] = chunk.map((d) => ({
      event: d.event,
      problems: [...d.problems],
      unmatched: 0,
      workspaces: new Set(),
    }));
    const routes = new Map<string, Route>();
    const realtime = new DeferredRealtime();
    const owners = new Map<CanonicalEvent, Pending>();
    const cache = new Map<string, { id: string; workspaceId: string }[]>();
    for (const [i, d] of chunk.entries()) {
      const p = pending[i]!;
      for (const event of d.events) {
        const targets = await targetsOf(tx, event, cache);
        if (targets.length === 0) {
          const reason = `no ${event.channel} channel is connected for account ${event.accountId}`;
          if (!p.problems.includes(reason)) p.problems.push(reason);
          continue;
        }
        owners.set(event, p);
        for (const t of targets) {
          const route = routes.get(t.id) ?? { channelId: t.id, workspaceId: t.workspaceId, events: [] };
          route.events.push(event);
          routes.set(t.id, route);
          p.workspaces.add(t.workspaceId);
        }
      }
    }
    // Workspace by workspace, so the scope changes as seldom as it can.
    const ordered = [...routes.values()].sort((a, b) => a.workspaceId.localeCompare(b.workspaceId));
    let scoped: string | null = null;
    for (const route of ordered) {
      if (scoped !== route.workspaceId) {
        await setScope(tx, { workspaceId: route.workspaceId });
        scoped = route.workspaceId;
      }
      const stores = conversationStoresFor(ctx, tx, route.workspaceId);
      const channel = await stores.channels.get(route.channelId);
      const ownersOf = (events: CanonicalEvent[]) =>
        new Set(events.map((e) => owners.get(e)).filter((p): p is Pending => p !== undefined));
      if (!channel || channel.status === 'disconnected') {
        for (const p of ownersOf(route.events)) p.problems.push(`channel ${route.channelId} is disconnected`);
        continue;
      }
      const deps = { ...stores, realtime: realtime.logFor(route.workspaceId) };
      const autoAssign = opts.autoAssign?.(tx, route.workspaceId, deps);
      const result = await ingestChannelEvents(
        { ...deps, ...(autoAssign ? { autoAssign } : {}) },
        channel,
        route.events,
      );
      const unmatched = new Set(result.unmatched);
      const unmatchedEvents = route.events.filter(
        (e) => e.type === 'status' && unmatched.has(e.providerMessageId),
      );
      for (const e of unmatchedEvents) {
        const owner = owners.get(e);
        if (owner) owner.unmatched += 1;
      }
    }
    if ((await realtime.flush(tx)) || scoped !== null) await setScope(tx, { system: true });
    const repo = webhookEventRepository(tx, platformCipher(ctx, tx));
    const done: string[] = [];
    for (const p of pending) {
      const workspaces = [...p.workspaces];
      if (p.problems.length > 0) {
        await repo.finish(p.event.id, {
          status: 'dead',
          at: now,
          error: p.problems.slice(0, 20).join('; '),
          workspaceId: workspaces.length === 1 ? (workspaces[0] ?? null) : null,
        });
      } else if (p.unmatched > 0 && p.event.attempts <= UNMATCHED_RETRIES) {
        await repo.finish(p.event.id, {
          status: 'retry',
          at: new Date(now.getTime() + 500 * 2 ** p.event.attempts),
          error: `${p.unmatched} status report(s) for messages not known yet`,
        });
      } else {
        done.push(p.event.id);
      }
    }
    await repo.finishDone(done, now);
  });
}

/** Settles a delivery whose processing threw: retried with backoff, dead after MAX_ATTEMPTS. */
async function recordFailure(ctx: AppContext, event: ClaimedWebhookEvent, err: unknown): Promise<void> {
  ctx.logger.error({ err, webhookEventId: event.id }, 'webhook processing failed');
  const now = ctx.clock.now();
  const error = failureText(err);
  await ctx.db.run({ system: true }, (tx) =>
    webhookEventRepository(tx, platformCipher(ctx, tx)).finish(
      event.id,
      event.attempts >= MAX_ATTEMPTS
        ? { status: 'dead', at: now, error, workspaceId: null }
        : { status: 'retry', at: new Date(now.getTime() + backoffMs(event.attempts)), error },
    ),
  );
}

/**
 * Works through one lane's deliveries in chunks (CHUNK; one transaction each). A chunk that
 * throws is rolled back and its deliveries processed one by one, so one bad delivery costs only
 * itself: it is retried with backoff and dead-lettered after MAX_ATTEMPTS, its error kept for the
 * dead-letter list.
 */
async function processLane(ctx: AppContext, lane: ParsedDelivery[], opts: WebhookProcessorOptions) {
  const size = CHUNK[ctx.config.database.engine];
  for (let i = 0; i < lane.length; i += size) {
    const chunk = lane.slice(i, i + size);
    try {
      // Acknowledging deliveries comes first: while they stream in, chunks are paced (work-signal.ts).
      // (PGlite answers without ever yielding to the event loop: requests get in between chunks.)
      await ctx.work.paced(() => processChunk(ctx, chunk, opts));
    } catch (err) {
      if (chunk.length === 1) {
        await recordFailure(ctx, chunk[0]!.event, err);
        continue;
      }
      for (const d of chunk) {
        await new Promise((resolve) => setImmediate(resolve));
        try {
          await processChunk(ctx, [d], opts);
        } catch (alone) {
          await recordFailure(ctx, d.event, alone);
        }
      }
    }
  }
}

/**
 * Claims up to `limit` stored deliveries and processes them. On PostgreSQL, unless deliveries are
 * streaming in, they go in LANES concurrent lanes (a transaction each at a time); one customer's deliveries always share a lane,
 * so lanes do not contend for the same contact or conversation and each customer's messages are
 * applied in order. Processing waits on database round trips most of the time, so lanes multiply
 * the rate. PGlite has one connection: one lane.
 */
export async function processWebhookBatch(
  ctx: AppContext,
  limit: number,
  opts: WebhookProcessorOptions = {},
): Promise<number> {
  const claimed = await ctx.db.run({ system: true }, (tx) =>
    webhookEventRepository(tx, platformCipher(ctx, tx)).claim({
      now: ctx.clock.now(),
      limit,
      leaseMs: LEASE_MS,
    }),
  );
  // While deliveries stream in, one lane: the CPU is theirs first.
  const parallel = ctx.config.database.engine === 'postgres' && !ctx.work.receivingNow();
  const lanes: ParsedDelivery[][] = Array.from({ length: parallel ? LANES : 1 }, () => []);
  for (const event of claimed) {
    const parsed = parseDelivery(event);
    lanes[laneOf(laneKey(parsed), lanes.length)]!.push(parsed);
  }
  await Promise.all(lanes.map((lane) => processLane(ctx, lane, opts)));
  return claimed.length;
}

function laneOf(key: string, lanes: number): number {
  if (lanes === 1) return 0;
  let h = 0;
  for (let i = 0; i < key.length; i += 1) h = (h * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}
