import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { newId } from '@parley/core';
import type { AppContext } from './app-context.ts';
import { installErrorHandling } from './http/error-handler.ts';
import { partAwareValidatorCompiler } from './http/validators.ts';
import { installTextGuard } from './http/text-guard.ts';
import { webApp } from './http/web-app.ts';
import type { RouteAuth } from './http/request-auth.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { channelRoutes, embeddedSignupClient, operatorWebhookRoutes } from './routes/channel-routes.ts';
import { contactRoutes } from './routes/contact-routes.ts';
import { conversationRoutes } from './routes/conversation-routes.ts';
import { attachmentRoutes } from './routes/attachment-routes.ts';
import { webhookRoutes } from './webhooks/webhook-routes.ts';
import { inboxRoutes } from './routes/inbox-routes.ts';
import { operatorRoutes } from './routes/operator-routes.ts';
import { createMetrics, systemRoutes } from './routes/system-routes.ts';
import { realtimeRoutes } from './realtime/realtime-routes.ts';
import { hydrateMessageEvents } from './realtime/hydrate-messages.ts';
import { workspaceRoutes } from './routes/workspace-routes.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How the route authenticates (documentation, OpenAPI security, the cross-tenant test). */
    auth?: RouteAuth;
  }
}

export const API_PREFIX = '/api/v1';
export const BODY_LIMIT = 1024 * 1024;

export interface RegisteredRoute {
  method: string;
  url: string;
  auth: RouteAuth | undefined;
}

/** Builds the HTTP application. The composition root (main.ts, tests) supplies the context. */
export async function buildApp(
  ctx: AppContext,
): Promise<FastifyInstance & { registeredRoutes: RegisteredRoute[] }> {
  const app = Fastify({
    loggerInstance: ctx.logger,
    bodyLimit: BODY_LIMIT,
    trustProxy: ctx.config.trustProxy,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : newId();
    },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(partAwareValidatorCompiler());

  const registeredRoutes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      registeredRoutes.push({ method, url: route.url, auth: route.config?.auth });
    }
  });

  const metrics = createMetrics();
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('x-request-id', reply.request.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(cookie);
  installErrorHandling(app, ctx);
  installTextGuard(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley API',
        version: '1',
        description:
          'Parley REST API. Authenticate with an API key (`Authorization: Bearer prk_…`) or a session cookie. ' +
          'Cookie-authenticated changes need the `X-CSRF-Token` header. Errors are `{ "error": { "code", "message", "errorId" } }`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A workspace API key' },
          session: { type: 'apiKey', in: 'cookie', name: 'parley_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  await app.register(systemRoutes(ctx, metrics));
  await app.register(authRoutes(ctx), { prefix: `${API_PREFIX}/auth` });
  await app.register(workspaceRoutes(ctx), { prefix: API_PREFIX });
  await app.register(operatorRoutes(ctx), { prefix: `${API_PREFIX}/operator` });
  await app.register(realtimeRoutes(ctx, { hydrate: hydrateMessageEvents(ctx) }), { prefix: API_PREFIX });
  await app.register(inboxRoutes(ctx), { prefix: API_PREFIX });
  await app.register(channelRoutes(ctx), { prefix: API_PREFIX });
  await app.register(conversationRoutes(ctx), { prefix: API_PREFIX });
  await app.register(attachmentRoutes(ctx), { prefix: API_PREFIX });
  await app.register(contactRoutes(ctx), { prefix: API_PREFIX });
  await app.register(operatorWebhookRoutes(ctx), { prefix: `${API_PREFIX}/operator` });
  await app.register(
    webhookRoutes(ctx, { registry: ctx.metaApps, onStored: () => ctx.work.notify(), receiving: ctx.work }),
  );

  app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  // The web app (apps/web/dist) with its SPA fallback: last, so every API route above wins.
  const signup = embeddedSignupClient(ctx.config);
  await app.register(
    webApp({
      scriptOrigins: signup ? [new URL(signup.sdkUrl).origin] : [],
      frameOrigins: signup?.frameOrigins ?? [],
    }),
  );

  return Object.assign(app, { registeredRoutes });
}
