import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { AddressInfo } from 'node:net';
import { SimClock } from './clock.ts';
import {
  defaultRules,
  defaultTiming,
  fastTiming,
  noFaults,
  type FaultConfig,
  type RuleConfig,
  type TimingConfig,
} from './config.ts';
import type { SimContext } from './context.ts';
import { registerControlRoutes } from './control/control-routes.ts';
import { SimulatorControl } from './control/simulator-control.ts';
import { authenticate, authorize, tokenFrom } from './graph/auth.ts';
import { GraphError, plainParameterError, unknownPath } from './graph/graph-error.ts';
import { graphSegments, handleGraph, mergeParams } from './graph/graph-router.ts';
import { checkDownload } from './graph/media.ts';
import { IdFactory } from './ids.ts';
import { isObject } from './json.ts';
import { registerAttachmentCdn } from './messenger/attachment-cdn.ts';
import { registerPhoneRoutes } from './phone/phone-routes.ts';
import { registerSignupRoutes } from './signup/embedded-signup.ts';
import { Random } from './random.ts';
import { PairRateLimiter } from './rules/pair-rate-limit.ts';
import { ThroughputLimiter } from './rules/throughput.ts';
import { Scheduler } from './scheduler.ts';
import { applySeed, defaultSeed, DEMO, type SeedData } from './seed.ts';
import { SimStore } from './state/store.ts';
import { WebhookSender } from './webhooks/webhook-sender.ts';

export interface SimulatorOptions {
  /** Port to listen on; 0 = random (tests). Default 4000. */
  port?: number;
  host?: string;
  /** Public base URL used in generated links (media URLs, paging); default `http://{host}:{port}`. */
  publicUrl?: string;
  /** Graph API version used in generated URLs (any `vX.Y` is accepted). Default `v23.0`. */
  apiVersion?: string;
  /** Initial data; default `defaultSeed` (see docs/simulator.md). */
  seed?: SeedData;
  /** `'fast'` = every delay 0 (tests); or individual overrides of the default timing. */
  timing?: 'fast' | Partial<TimingConfig>;
  rules?: Partial<RuleConfig>;
  faults?: { graph?: Partial<FaultConfig['graph']>; webhooks?: Partial<FaultConfig['webhooks']> };
  /** Configure the first app's webhook at start (the handshake runs before the first delivery). */
  webhook?: { appId?: string; callbackUrl: string; verifyToken?: string };
  /** Seed for the fault-injection PRNG. */
  randomSeed?: number;
  /** Max concurrent webhook POSTs. Default 48. */
  webhookConcurrency?: number;
  /** Keep webhook bodies in the delivery log (default true; the benchmark turns it off). */
  logWebhookBodies?: boolean;
  /** Fastify request logging (default off). */
  logger?: boolean;
}

export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:4000`; Graph API under `${url}/v23.0/...`. */
  url: string;
  port: number;
  /** Graph API base including the version, e.g. `http://127.0.0.1:4000/v23.0`. */
  graphUrl: string;
  /** State and control functions (the same operations as the `/_sim` control API). */
  control: SimulatorControl;
  /** The internals (store, clock, rules, faults, webhook sender) for advanced tests. */
  context: SimContext;
  /** Demo credentials of the default seed. */
  demo: typeof DEMO;
  close(): Promise<void>;
}

function sendGraphError(reply: FastifyReply, error: GraphError): FastifyReply {
  return reply
    .code(error.httpStatus)
    .header(
      'www-authenticate',
      error.code === 190
        ? 'OAuth "Facebook Platform" "invalid_token" "' + error.message.replace(/"/g, "'") + '"'
        : undefined,
    )
    .send(error.body());
}

/** Builds the Fastify app (not listening). */
function buildApp(ctx: SimContext, control: SimulatorControl, logger: boolean): FastifyInstance {
  const app = Fastify({
    logger,
    bodyLimit: 110 * 1024 * 1024,
    forceCloseConnections: true,
    return503OnClosing: false,
  });
  void app.register(formbody);
  void app.register(multipart, { limits: { fileSize: 101 * 1024 * 1024 } });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const raw = typeof text === 'string' ? text : text.toString('utf8');
    if (raw.trim() === '') {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(raw));
    } catch {
      done(plainParameterError('Invalid JSON in request body.'), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, payload, done) => done(null, payload));

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof GraphError) return sendGraphError(reply, error);
    const status = isObject(error) && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      return sendGraphError(
        reply,
        plainParameterError(
          isObject(error) && typeof error.message === 'string' ? error.message : 'Invalid request',
        ),
      );
    }
    request.log.error(error);
    return sendGraphError(reply, new GraphError(500, 1, 'An unknown error occurred', { transient: true }));
  });
  app.setNotFoundHandler((request, reply) =>
    sendGraphError(reply, unknownPath(request.url.split('?')[0] ?? '/')),
  );

  registerControlRoutes(app, control);
  registerPhoneRoutes(app, ctx, control);
  registerSignupRoutes(app, ctx);
  registerAttachmentCdn(app, ctx);

  // Media download (Meta's lookaside URL): needs the same Bearer token.
  app.get(
    '/_media/:id',
    async (
      request: FastifyRequest<{ Params: { id: string }; Querystring: Record<string, string> }>,
      reply,
    ) => {
      const token = authenticate(ctx, tokenFrom(request.headers.authorization, request.query.access_token));
      const media = ctx.store.media.get(request.params.id);
      if (!media) throw new GraphError(404, 100, 'Media not found');
      authorize(ctx, token, { kind: 'media', media }, 'GET', media.id);
      checkDownload(ctx, media, request.query.ext, request.query.hash);
      return reply
        .header('content-type', media.mimeType)
        .header('content-length', media.data.length)
        .send(media.data);
    },
  );

  const graph = async (request: FastifyRequest, reply: FastifyReply) => {
    const query: Record<string, string> = {};
    if (isObject(request.query))
      for (const [k, v] of Object.entries(request.query))
        query[k] = Array.isArray(v) ? String(v[0]) : String(v);
    const result = await handleGraph(ctx, {
      method: request.method,
      segments: graphSegments(request.url),
      query,
      body: request.isMultipart()
        ? {}
        : mergeParams(query, Buffer.isBuffer(request.body) ? {} : request.body),
      request,
    });
    return reply.code(result.status).send(result.body);
  };
  app.route({ method: ['GET', 'POST', 'DELETE'], url: '/*', handler: graph });
  return app;
}

/** Creates and starts a simulator. Several can run in one process (tests use port 0). */
export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const timing: TimingConfig =
    options.timing === 'fast' ? { ...fastTiming } : { ...defaultTiming, ...(options.timing ?? {}) };
  const faults = noFaults();
  Object.assign(faults.graph, options.faults?.graph ?? {});
  Object.assign(faults.webhooks, options.faults?.webhooks ?? {});
  const scheduler = new Scheduler();
  const random = new Random(options.randomSeed ?? Date.now());
  const ctx: SimContext = {
    store: new SimStore(),
    clock: new SimClock(),
    ids: new IdFactory(),
    scheduler,
    random,
    webhooks: new WebhookSender({
      timing: () => timing,
      faults: () => faults.webhooks,
      random,
      scheduler,
      concurrency: options.webhookConcurrency,
    }),
    throughput: new ThroughputLimiter(),
    pairs: new PairRateLimiter(),
    timing,
    rules: { ...defaultRules, ...(options.rules ?? {}) },
    faults,
    apiVersion: options.apiVersion ?? 'v23.0',
    baseUrl: '',
  };
  ctx.webhooks.logBodies = options.logWebhookBodies ?? true;
  applySeed(ctx.store, options.seed ?? defaultSeed, ctx.clock.now());
  if (options.webhook) {
    const appId = options.webhook.appId ?? [...ctx.store.apps.keys()][0];
    const app = appId ? ctx.store.apps.get(appId) : undefined;
    if (!app) throw new Error(`createSimulator: unknown app ${appId ?? '(none)'}`);
    app.callbackUrl = options.webhook.callbackUrl;
    app.verifyToken = options.webhook.verifyToken ?? DEMO.verifyToken;
  }
  const control = new SimulatorControl(ctx);
  const app = buildApp(ctx, control, options.logger ?? false);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 4000, host });
  const address = app.server.address();
  const port =
    typeof address === 'object' && address !== null
      ? (address satisfies AddressInfo).port
      : (options.port ?? 4000);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  ctx.baseUrl = (options.publicUrl ?? `http://${urlHost}:${port}`).replace(/\/$/, '');
  return {
    url: ctx.baseUrl,
    port,
    graphUrl: `${ctx.baseUrl}/${ctx.apiVersion}`,
    control,
    context: ctx,
    demo: DEMO,
    async close() {
      scheduler.close();
      ctx.webhooks.close();
      await app.close();
    },
  };
}
