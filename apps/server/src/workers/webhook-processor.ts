import { parseMetaWebhook } from '@parley/channels';
import { ingestChannelEvents, wrappedKeyMasterId, type CanonicalEvent } from '@parley/core';
import {
  dataKeyRepository,
  routeChannels,
  routeWabaChannels,
  setScope,
  webhookEventRepository,
  type ClaimedWebhookEvent,
  type Tx,
} from '@parley/db';
import { conversationStoresFor, type AppContext } from '../app-context.ts';

/** A delivery whose processing throws is retried this many times, with backoff, then dead-lettered. */
const MAX_ATTEMPTS = 8;
/** Statuses for messages we do not know yet (the send worker has not stored the id) wait this often. */
const UNMATCHED_RETRIES = 4;
const LEASE_MS = 60_000;

export interface WebhookProcessorOptions {
  /** Wires automatic assignment of new conversations (null = off). */
  autoAssign?: (
    tx: Tx,
    workspaceId: string,
  ) => ((c: import('@parley/core').ConversationRecord) => Promise<void>) | undefined;
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

/** Groups events by the channel they belong to; what matches no channel is reported. */
async function routeEvents(
  tx: Tx,
  events: CanonicalEvent[],
): Promise<{ routes: Route[]; unroutable: string[] }> {
  const routes = new Map<string, Route>();
  const unroutable: string[] = [];
  const cache = new Map<string, { id: string; workspaceId: string }[]>();
  for (const event of events) {
    const key = `${event.channel}:${event.accountId}`;
    let targets = cache.get(key);
    if (!targets) {
      targets = await routeChannels(tx, event.channel, event.accountId);
      // Account-level WhatsApp events (templates, quality, tier) name the WABA.
      if (targets.length === 0 && event.type === 'account' && event.channel === 'whatsapp') {
        targets = await routeWabaChannels(tx, event.accountId);
      }
      cache.set(key, targets);
    }
    if (targets.length === 0) {
      unroutable.push(`no ${event.channel} channel is connected for account ${event.accountId}`);
      continue;
    }
    for (const t of targets) {
      const route = routes.get(t.id) ?? { channelId: t.id, workspaceId: t.workspaceId, events: [] };
      route.events.push(event);
      routes.set(t.id, route);
    }
  }
  return { routes: [...routes.values()], unroutable: [...new Set(unroutable)] };
}

/**
 * Processes one stored delivery in one transaction: parse, route each event to its channel's
 * workspace (switching the RLS scope to it), apply idempotently, and settle the row — done, retry
 * later, or dead letter with the reason (what could not be parsed or routed).
 */
async function processDelivery(ctx: AppContext, event: ClaimedWebhookEvent, opts: WebhookProcessorOptions) {
  const now = ctx.clock.now();
  await ctx.db.run({ system: true }, async (tx) => {
    const repo = () => webhookEventRepository(tx, platformCipher(ctx, tx));
    let json: unknown;
    try {
      json = JSON.parse(event.body.toString('utf8'));
    } catch {
      await repo().finish(event.id, {
        status: 'dead',
        at: now,
        error: 'The body is not valid JSON.',
        workspaceId: null,
      });
      return;
    }
    const parsed = parseMetaWebhook(json);
    const { routes, unroutable } = await routeEvents(tx, parsed.events);
    let unmatched = 0;
    const problems = [...parsed.problems.map((p) => `${p.path}: ${p.reason}`), ...unroutable];
    for (const route of routes) {
      await setScope(tx, { workspaceId: route.workspaceId });
      const stores = conversationStoresFor(ctx, tx, route.workspaceId);
      const channel = await stores.channels.get(route.channelId);
      if (!channel || channel.status === 'disconnected') {
        problems.push(`channel ${route.channelId} is disconnected`);
        continue;
      }
      const autoAssign = opts.autoAssign?.(tx, route.workspaceId);
      const result = await ingestChannelEvents(
        { ...stores, ...(autoAssign ? { autoAssign } : {}) },
        channel,
        route.events,
      );
      unmatched += result.unmatched.length;
    }
    await setScope(tx, { system: true });
    const workspaces = [...new Set(routes.map((r) => r.workspaceId))];
    if (problems.length > 0) {
      await repo().finish(event.id, {
        status: 'dead',
        at: now,
        error: problems.slice(0, 20).join('; '),
        workspaceId: workspaces.length === 1 ? (workspaces[0] ?? null) : null,
      });
    } else if (unmatched > 0 && event.attempts <= UNMATCHED_RETRIES) {
      await repo().finish(event.id, {
        status: 'retry',
        at: new Date(now.getTime() + 500 * 2 ** event.attempts),
        error: `${unmatched} status report(s) for messages not known yet`,
      });
    } else {
      await repo().finish(event.id, { status: 'done', at: now });
    }
  });
}

/**
 * Claims up to `limit` stored deliveries and processes each. A delivery that throws is retried
 * with backoff and dead-lettered after MAX_ATTEMPTS; its error is kept for the dead-letter list.
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
  for (const event of claimed) {
    // PGlite answers without ever yielding to the event loop: let waiting requests in between deliveries.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await processDelivery(ctx, event, opts);
    } catch (err) {
      ctx.logger.error({ err, webhookEventId: event.id }, 'webhook processing failed');
      const now = ctx.clock.now();
      const error = err instanceof Error ? err.message : 'processing failed';
      await ctx.db.run({ system: true }, (tx) =>
        webhookEventRepository(tx, platformCipher(ctx, tx)).finish(
          event.id,
          event.attempts >= MAX_ATTEMPTS
            ? { status: 'dead', at: now, error, workspaceId: null }
            : { status: 'retry', at: new Date(now.getTime() + backoffMs(event.attempts)), error },
        ),
      );
    }
  }
  return claimed.length;
}
