import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  authorize,
  checkChannelHealth,
  connectByEmbeddedSignup,
  cursorUuid,
  decodeCursor,
  encodeCursor,
  connectChannel,
  disconnectChannel,
  DomainError,
  getChannel,
  listChannels,
  requireOperator,
  updateChannelToken,
  wrappedKeyMasterId,
} from '@parley/core';
import {
  dataKeyRepository,
  getWebhookEvent,
  listDeadWebhookEvents,
  metaAppRepository,
  replayWebhookEvent,
  setScope,
  webhookEventBody,
  type Tx,
  type TxScope,
  type WebhookEventSummary,
} from '@parley/db';
import { conversationStoresFor, type AppContext } from '../app-context.ts';
import { withUser, withWorkspace } from '../http/request-auth.ts';
import {
  ChannelView,
  ConnectChannelBody,
  EmbeddedSignupBody,
  WebhookEventView,
} from '../http/conversation-schemas.ts';
import { channelView } from '../http/conversation-views.ts';
import { errorResponses, NoContent, PageQuery, strict, Uuid } from '../http/schemas.ts';

const Params = Type.Object({ channelId: Uuid }, strict);
const EventParams = Type.Object({ eventId: Uuid }, strict);
/** Dead letters page newest first; the cursor is the last id seen. */
async function deadLetterPage<V>(
  tx: Tx,
  query: { cursor?: string; limit?: number },
  view: (e: WebhookEventSummary) => Promise<V>,
) {
  const limit = query.limit ?? 50;
  const before = query.cursor ? cursorUuid(decodeCursor(query.cursor), 'id') : null;
  const rows = await listDeadWebhookEvents(tx, { before, limit: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: await Promise.all(items.map(view)),
    nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null,
  };
}

const DeadLetterPage = Type.Object({
  items: Type.Array(WebhookEventView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

function channelDeps(ctx: AppContext, tx: Tx, workspaceId: string) {
  const stores = conversationStoresFor(ctx, tx, workspaceId);
  const platformCipher = ctx.keyring.fieldCipher(dataKeyRepository(tx, wrappedKeyMasterId), null);
  return {
    ...stores,
    metaApps: metaAppRepository(tx, platformCipher, { workspaceId }),
    gateway: ctx.gateway,
  };
}

/** A dead letter as the API shows it; the payload is decrypted with the platform key. */
async function eventView(
  ctx: AppContext,
  tx: Tx,
  e: WebhookEventSummary,
  restore: TxScope,
  withPayload: boolean,
) {
  let payload: unknown;
  if (withPayload) {
    await setScope(tx, { system: true });
    const body = await webhookEventBody(
      tx,
      ctx.keyring.fieldCipher(dataKeyRepository(tx, wrappedKeyMasterId), null),
      e.id,
    );
    await setScope(tx, restore);
    const text = body?.toString('utf8') ?? '';
    try {
      payload = JSON.parse(text);
    } catch {
      payload = text;
    }
  }
  return {
    id: e.id,
    appId: e.appId,
    object: e.object,
    status: e.status,
    attempts: e.attempts,
    receivedAt: e.receivedAt.toISOString(),
    processedAt: e.processedAt?.toISOString() ?? null,
    error: e.lastError,
    ...(withPayload ? { payload } : {}),
  };
}

/** Meta's origins in Embedded Signup: the SDK's, and the popup's that posts WA_EMBEDDED_SIGNUP. */
const META_SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';
const META_DIALOG_ORIGINS = ['https://www.facebook.com', 'https://web.facebook.com'];

/** What the browser needs for Embedded Signup, and what the page's Content-Security-Policy allows for it. */
export interface EmbeddedSignupClient {
  /** Meta's JS SDK, or the simulator's stand-in when the Graph API is not Meta's own. */
  sdkUrl: string;
  /**
   * The only origins whose `message` events the page reads (WA_EMBEDDED_SIGNUP session info):
   * Meta's login dialog, or the simulator's popup.
   */
  messageOrigins: string[];
  /** Origins the SDK frames (Meta's cross-domain helper frames; none for the simulator's popup). */
  frameOrigins: string[];
  /** FB.login's config_id (Facebook Login for Business); Meta's SDK needs it, the simulator does not. */
  configId: string | null;
}

export function embeddedSignupClient(config: AppContext['config']): EmbeddedSignupClient | null {
  if (!config.meta.app) return null;
  const configId = config.meta.embeddedSignupConfigId;
  if (config.meta.graphUrl.startsWith('https://graph.facebook.com')) {
    // Without a Login for Business configuration FB.login is a plain Facebook login, not the signup.
    if (!configId) return null;
    return {
      sdkUrl: META_SDK_URL,
      messageOrigins: META_DIALOG_ORIGINS,
      frameOrigins: META_DIALOG_ORIGINS,
      configId,
    };
  }
  const simulator = new URL(config.meta.graphUrl).origin;
  return { sdkUrl: `${simulator}/sdk.js`, messageOrigins: [simulator], frameOrigins: [], configId };
}

/** Channel connections (form and Embedded Signup), their health, and dead-lettered webhooks. */
export function channelRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const config = { auth: 'workspace' } as const;
    const tags = ['channels'];

    app.get(
      '/channels',
      {
        config,
        schema: {
          tags,
          summary: 'Connected WhatsApp numbers, Facebook Pages and Instagram accounts, with their health',
          response: { 200: Type.Object({ items: Type.Array(ChannelView) }), ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ tx, actor }) => ({
          items: (await listChannels(conversationStoresFor(ctx, tx, actor.workspaceId), actor)).map(
            channelView,
          ),
        })),
    );

    app.post(
      '/channels',
      {
        config,
        schema: {
          tags,
          summary: 'Connect a channel with its credentials (checked against the Graph API first)',
          body: ConnectChannelBody,
          response: { 201: ChannelView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const channel = await withWorkspace(ctx, req, ({ tx, actor }) =>
          connectChannel(channelDeps(ctx, tx, actor.workspaceId), actor, { ...req.body, ip: req.ip }),
        );
        return reply.status(201).send(channelView(channel));
      },
    );

    app.post(
      '/channels/embedded-signup',
      {
        config,
        schema: {
          tags,
          summary:
            'Finish WhatsApp Embedded Signup: exchange the code, subscribe the app, register the number, connect it',
          body: EmbeddedSignupBody,
          response: { 201: ChannelView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const metaApp = ctx.config.meta.app;
        if (!metaApp) {
          throw new DomainError(
            'embedded_signup_unavailable',
            'Embedded Signup needs META_APP_ID and META_APP_SECRET in the server configuration.',
          );
        }
        const channel = await withWorkspace(ctx, req, ({ tx, actor }) =>
          connectByEmbeddedSignup(channelDeps(ctx, tx, actor.workspaceId), actor, {
            ...req.body,
            appId: metaApp.id,
            appSecret: metaApp.secret,
            verifyToken: metaApp.verifyToken,
            ip: req.ip,
          }),
        );
        return reply.status(201).send(channelView(channel));
      },
    );

    app.get(
      '/channels/embedded-signup/config',
      {
        config,
        schema: {
          tags,
          summary:
            'What the browser needs to start Embedded Signup: the app, the SDK, the configuration and the origins to trust',
          response: {
            200: Type.Object({
              available: Type.Boolean(),
              appId: Type.Union([Type.String(), Type.Null()]),
              sdkUrl: Type.Union([Type.String(), Type.Null()]),
              configId: Type.Union([Type.String(), Type.Null()]),
              graphVersion: Type.String(),
              messageOrigins: Type.Array(Type.String()),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ actor }) => {
          authorize(actor, 'channels.manage');
          const client = embeddedSignupClient(ctx.config);
          return {
            available: client !== null,
            appId: client ? (ctx.config.meta.app?.id ?? null) : null,
            sdkUrl: client?.sdkUrl ?? null,
            configId: client?.configId ?? null,
            graphVersion: ctx.config.meta.graphVersion,
            messageOrigins: client?.messageOrigins ?? [],
          };
        }),
    );

    app.get(
      '/channels/:channelId',
      {
        config,
        schema: {
          tags,
          summary: 'One channel and its health',
          params: Params,
          response: { 200: ChannelView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ tx, actor }) =>
          channelView(
            await getChannel(conversationStoresFor(ctx, tx, actor.workspaceId), actor, req.params.channelId),
          ),
        ),
    );

    app.post(
      '/channels/:channelId/health-check',
      {
        config,
        schema: {
          tags,
          summary: 'Ask Meta now: token validity, quality rating, messaging tier',
          params: Params,
          response: { 200: ChannelView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ tx, actor }) =>
          channelView(
            await checkChannelHealth(channelDeps(ctx, tx, actor.workspaceId), actor, req.params.channelId),
          ),
        ),
    );

    app.put(
      '/channels/:channelId/token',
      {
        config,
        schema: {
          tags,
          summary: 'Replace the access token (e.g. after Meta revoked it)',
          params: Params,
          body: Type.Object({ accessToken: Type.String({ minLength: 8, maxLength: 2000 }) }, strict),
          response: { 200: ChannelView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ tx, actor }) =>
          channelView(
            await updateChannelToken(channelDeps(ctx, tx, actor.workspaceId), actor, {
              id: req.params.channelId,
              accessToken: req.body.accessToken,
              ip: req.ip,
            }),
          ),
        ),
    );

    app.delete(
      '/channels/:channelId',
      {
        config,
        schema: {
          tags,
          summary:
            'Disconnect a channel (its conversations stay; connecting the same account again resumes it)',
          params: Params,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, ({ tx, actor }) =>
          disconnectChannel(channelDeps(ctx, tx, actor.workspaceId), actor, {
            id: req.params.channelId,
            ip: req.ip,
          }),
        );
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/webhook-events',
      {
        config,
        schema: {
          tags: ['webhooks'],
          summary: 'Dead letters: webhook deliveries routed to this workspace that could not be processed',
          querystring: PageQuery,
          response: { 200: DeadLetterPage, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ tx, actor }) => {
          authorize(actor, 'channels.manage');
          const scope = { workspaceId: actor.workspaceId };
          return deadLetterPage(tx, req.query, (e) => eventView(ctx, tx, e, scope, false));
        }),
    );

    app.get(
      '/webhook-events/:eventId',
      {
        config,
        schema: {
          tags: ['webhooks'],
          summary: 'One dead letter with its payload and the reason it failed',
          params: EventParams,
          response: { 200: WebhookEventView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ tx, actor }) => {
          authorize(actor, 'channels.manage');
          const event = await getWebhookEvent(tx, req.params.eventId);
          if (!event) throw new DomainError('not_found', 'Webhook event not found.');
          return eventView(ctx, tx, event, { workspaceId: actor.workspaceId }, true);
        }),
    );

    app.post(
      '/webhook-events/:eventId/replay',
      {
        config,
        schema: {
          tags: ['webhooks'],
          summary: 'Process a dead letter again (idempotent: nothing already applied is applied twice)',
          params: EventParams,
          response: { 202: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, async ({ tx, actor }) => {
          authorize(actor, 'channels.manage');
          if (!(await replayWebhookEvent(tx, req.params.eventId, ctx.clock.now()))) {
            throw new DomainError('not_found', 'Dead letter not found.');
          }
        });
        ctx.work.notify();
        return reply.status(202).send(null);
      },
    );
  };
}

/** The platform operator sees every dead letter, including those no workspace could be found for. */
export function operatorWebhookRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const config = { auth: 'operator' } as const;
    const tags = ['operator'];
    app.get(
      '/webhook-events',
      {
        config,
        schema: {
          tags,
          summary: 'Every dead-lettered webhook delivery on this install',
          querystring: PageQuery,
          response: { 200: DeadLetterPage, ...errorResponses },
        },
      },
      async (req) =>
        withUser(
          ctx,
          req,
          async ({ tx, user }) => {
            requireOperator(user);
            const scope = { userId: user.id, operator: true };
            return deadLetterPage(tx, req.query, (e) => eventView(ctx, tx, e, scope, true));
          },
          { operator: true },
        ),
    );
    app.post(
      '/webhook-events/:eventId/replay',
      {
        config,
        schema: {
          tags,
          summary: 'Process a dead letter again',
          params: EventParams,
          response: { 202: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withUser(
          ctx,
          req,
          async ({ tx, user }) => {
            requireOperator(user);
            if (!(await replayWebhookEvent(tx, req.params.eventId, ctx.clock.now()))) {
              throw new DomainError('not_found', 'Dead letter not found.');
            }
          },
          { operator: true },
        );
        ctx.work.notify();
        return reply.status(202).send(null);
      },
    );
  };
}
