import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '@parley/core';
import { dataKeyRepository, webhookEventRepository, type NewWebhookEvent } from '@parley/db';
import { wrappedKeyMasterId } from '@parley/core';
import type { AppContext } from '../app-context.ts';
import type { MetaAppRegistry } from './meta-app-registry.ts';
import { DeliveryBatcher } from './delivery-batcher.ts';

/** Meta sends webhook payloads of up to 3 MB (reference §2.6). */
export const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024;

/** Meta's bodies start with the `object` field; reading it there spares parsing the whole body. */
const LEADING_OBJECT = /^\s*\{\s*"object"\s*:\s*"([a-z_]{1,64})"/;

/** Reads `object` without trusting the body: a delivery we cannot parse is stored all the same. */
export function objectOf(body: Buffer): string | null {
  const leading = LEADING_OBJECT.exec(body.toString('latin1', 0, 128));
  if (leading) return leading[1] ?? null;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'object' in parsed && typeof parsed.object === 'string') {
      return parsed.object.slice(0, 64);
    }
  } catch {
    // Kept, and dead-lettered by the processor with the reason.
  }
  return null;
}

/**
 * Meta's webhooks. The POST verifies X-Hub-Signature-256 over the exact bytes (constant time,
 * fail closed), stores the raw delivery durably (encrypted) and only then answers 200. The work
 * happens later, from the stored row (webhook-processor.ts). Deliveries that arrive while others
 * are being stored share the next transaction (delivery-batcher.ts); each is answered after it.
 */
export function webhookRoutes(
  ctx: AppContext,
  deps: {
    registry: MetaAppRegistry;
    onStored: () => void;
    /** Told when a delivery arrives and when its answer is gone (the workers give way meanwhile). */
    receiving?: { receiveStarted(): void; received(): void };
  },
): FastifyPluginAsync {
  // Deliveries that arrive together are stored together (one statement), each answered after it commits.
  const batcher = new DeliveryBatcher<NewWebhookEvent, boolean>(
    (deliveries) =>
      ctx.db.systemStatements((tx) =>
        webhookEventRepository(
          tx,
          ctx.keyring.fieldCipher(dataKeyRepository(tx, wrappedKeyMasterId), null),
        ).insertMany(deliveries),
      ),
    (d) => d.body.length,
    {
      // PGlite has one connection. On PostgreSQL two batches (the two system sessions): one
      // commits while the next fills. More slots only make smaller batches, not more throughput:
      // at 2,500/s five slots took 370 µs of CPU per delivery, two 291 µs.
      maxConcurrent: ctx.config.database.engine === 'postgres' ? 2 : 1,
      maxItems: 200,
      maxBytes: 4 * 1024 * 1024,
      // A batch is a round trip to a PostgreSQL server (~0.25 ms of CPU on a small VM) and a
      // commit: waiting up to 3 ms for company makes batches several times bigger at moderate rates.
      // PGlite's round trips cost nothing; there the batch is what one turn of the loop read.
      lingerMs: ctx.config.database.engine === 'postgres' ? 3 : 0,
    },
  );
  return async (app) => {
    // The signature covers the raw bytes, so this route keeps them (encapsulated: other routes still get JSON).
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );

    app.get<{ Querystring: Record<string, string | undefined> }>(
      '/webhooks/meta',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['webhooks'],
          summary: "Meta's verification handshake: echoes hub.challenge when hub.verify_token is known",
          querystring: {
            type: 'object',
            properties: {
              'hub.mode': { type: 'string', maxLength: 64 },
              'hub.verify_token': { type: 'string', maxLength: 512 },
              'hub.challenge': { type: 'string', maxLength: 512 },
            },
          },
        },
      },
      async (req, reply) => {
        const q = req.query;
        const token = q['hub.verify_token'];
        if (q['hub.mode'] !== 'subscribe' || !token || !(await deps.registry.knowsVerifyToken(token))) {
          throw new DomainError('forbidden', 'Unknown verify token.');
        }
        return reply.type('text/plain').send(q['hub.challenge'] ?? '');
      },
    );

    app.post(
      '/webhooks/meta',
      {
        config: { auth: 'public' },
        bodyLimit: WEBHOOK_BODY_LIMIT,
        // Each delivery is recorded in webhook_events (and its metrics); two info lines per request
        // on top cost about a tenth of the ingest CPU. Failures are still logged.
        logLevel: 'warn',
        onRequest: async (_req, reply) => {
          if (!deps.receiving) return;
          deps.receiving.receiveStarted();
          // 'close' comes once per response: answered, failed or cut off.
          reply.raw.once('close', () => deps.receiving?.received());
        },
        schema: {
          tags: ['webhooks'],
          summary:
            'Meta webhook deliveries (WhatsApp, Messenger, Instagram): signed with X-Hub-Signature-256; stored before the 200',
        },
      },
      async (req, reply) => {
        const body = req.body;
        if (!Buffer.isBuffer(body)) throw new DomainError('invalid_signature', 'Missing webhook body.');
        const header = req.headers['x-hub-signature-256'];
        const appId = await deps.registry.verify(body, typeof header === 'string' ? header : undefined);
        if (!appId) {
          throw new DomainError(
            'invalid_signature',
            'The X-Hub-Signature-256 signature is missing or does not match.',
          );
        }
        const stored = await batcher.submit({
          appId,
          object: objectOf(body),
          body,
          receivedAt: ctx.clock.now(),
        });
        if (stored) deps.onStored();
        return reply.type('text/plain').send('EVENT_RECEIVED');
      },
    );
  };
}
