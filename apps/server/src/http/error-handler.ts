import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError, newId, type AuditActorType, type AuditOutcome } from '@parley/core';
import type { AppContext } from '../app-context.ts';
import { auditRepository } from '@parley/db';
import { ERROR_STATUS, FASTIFY_ERROR_CODES } from './error-status.ts';

export interface ErrorBody {
  error: { code: string; message: string; errorId: string; details?: Record<string, unknown> };
}

/** Details a client may see; everything else (audit context, internals) stays on the server. */
const PUBLIC_DETAIL_KEYS = [
  'retryAfterSeconds',
  'permission',
  'fields',
  // Messaging windows: which window closed, since when, and whether a template is the way out.
  'window',
  'lastInboundAt',
  'templateRequired',
  'channelStatus',
  // Attachments: the limit that was passed, the file's type, the channel that takes no uploads.
  'maxBytes',
  'sizeBytes',
  'mediaType',
  'mimeType',
  'channelKind',
];

interface AuditHint {
  action: string;
  actorType: AuditActorType;
  actorId?: string | null;
  workspaceId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  metadata?: Record<string, unknown>;
}

export function sendError(
  reply: FastifyReply,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): FastifyReply {
  const status = ERROR_STATUS[code] ?? 500;
  const errorId = newId();
  const body: ErrorBody = { error: { code, message, errorId } };
  if (details && Object.keys(details).length > 0) body.error.details = details;
  if (typeof details?.retryAfterSeconds === 'number')
    reply.header('retry-after', String(details.retryAfterSeconds));
  return reply.status(status).type('application/json').send(body);
}

export function installErrorHandling(app: FastifyInstance, ctx: AppContext): void {
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 'route_not_found', `No route ${req.method} ${req.url.split('?')[0]}.`),
  );

  app.setErrorHandler(async (thrown: Error, req: FastifyRequest, reply: FastifyReply) => {
    if (isDomainError(thrown)) {
      const err = thrown;
      const status = ERROR_STATUS[err.code];
      if (status === undefined || status >= 500) return internal(err, req, reply);
      const hint = err.details?.audit as AuditHint | undefined;
      if (hint) await recordFailure(ctx, req, err.code, hint);
      const details = Object.fromEntries(
        Object.entries(err.details ?? {}).filter(([k]) => PUBLIC_DETAIL_KEYS.includes(k)),
      );
      return sendError(reply, err.code, err.message, details);
    }
    // Anything else reaching here comes from Fastify or a plugin, which throw FastifyError shapes.
    const err = thrown as FastifyError;
    const mapped = err.code ? FASTIFY_ERROR_CODES[err.code] : undefined;
    if (err.validation) {
      const fields = err.validation.map((v) => ({
        path: `${err.validationContext ?? 'body'}${v.instancePath || ''}`,
        problem: v.message ?? 'invalid',
        ...(v.keyword === 'additionalProperties' && 'additionalProperty' in v.params
          ? { field: String(v.params.additionalProperty) }
          : {}),
      }));
      return sendError(reply, 'validation_failed', 'The request is not valid.', { fields });
    }
    if (mapped) return sendError(reply, mapped, publicMessage(mapped));
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, 'validation_failed', 'The request could not be processed.');
    }
    return internal(err, req, reply);
  });
}

function publicMessage(code: string): string {
  switch (code) {
    case 'invalid_json':
      return 'The request body is not valid JSON.';
    case 'payload_too_large':
      return 'The request body is too large (limit 1 MB).';
    case 'unsupported_media_type':
      return 'Send the body as application/json.';
    default:
      return 'The request is not valid.';
  }
}

function internal(err: Error, req: FastifyRequest, reply: FastifyReply) {
  const errorId = newId();
  req.log.error({ errorId, err }, 'unhandled error');
  return reply
    .status(500)
    .type('application/json')
    .send({ error: { code: 'internal_error', message: 'Something went wrong on our side.', errorId } });
}

/** Failures are audited in a transaction of their own: the request's transaction was rolled back. */
async function recordFailure(ctx: AppContext, req: FastifyRequest, code: string, hint: AuditHint) {
  const workspaceId = hint.workspaceId ?? null;
  try {
    await ctx.db.run({ workspaceId }, (tx) =>
      auditRepository(tx).append({
        workspaceId,
        actorType: hint.actorType,
        actorId: hint.actorId ?? null,
        action: hint.action,
        targetType: hint.targetType ?? null,
        targetId: hint.targetId ?? null,
        outcome: code === 'forbidden' ? 'denied' : ('failure' satisfies AuditOutcome),
        ip: req.ip,
        metadata: { ...(hint.metadata ?? {}), code, route: req.routeOptions.url ?? null },
      }),
    );
  } catch (e) {
    req.log.error({ err: e }, 'could not write audit entry for a failure');
  }
}
