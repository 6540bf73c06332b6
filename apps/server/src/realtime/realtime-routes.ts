import { PassThrough } from 'node:stream';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authorize, DomainError } from '@parley/core';
import { realtimeRepository } from '@parley/db';
import type { AppContext } from '../app-context.ts';
import { withWorkspace } from '../http/request-auth.ts';
import { errorResponses, strict } from '../http/schemas.ts';
import { createRealtimeHub, type RealtimeHub, type RealtimeHubOptions } from './hub.ts';

export interface RealtimeRoutesOptions extends Partial<Omit<RealtimeHubOptions, 'db' | 'logger'>> {
  /** A hub built elsewhere (it is still closed with the app); by default one is made per app. */
  hub?: RealtimeHub;
}

const EVENTS_DESCRIPTION = `Server-Sent Events of the workspace, in order, each once: \`id: <seq>\`,
\`event: <type>\` and \`data: {seq, type, conversationId, messageId, userId, data, createdAt}\`.
Types: message.created, message.updated, conversation.created, conversation.updated, typing,
channel.updated. Control messages: \`ready\` (first; its id is where the stream starts) and
\`resync\` (the position is no longer in the log — pruned, or unknown: reload your state, the stream
goes on from its id). Events are kept for \`REALTIME_RETENTION_HOURS\` (24 by default), so a client
away for longer gets \`resync\`. A comment line is sent every 15 s; \`retry:\` suggests the reconnect
delay.

Resume with the \`Last-Event-ID\` header (EventSource sends it when it reconnects) or \`?after=<seq>\`;
the header wins. Without either the stream starts at the newest event. \`?once=1\` returns what is
available after that position (up to 500 events) and ends: for clients that poll. Needs
conversations.read; API keys may use it.

A session names the workspace with \`X-Workspace-Id\` or, where headers cannot be set (the
browser's EventSource), \`?workspaceId=<id>\`: the same membership checks apply (a workspace you
are not a member of is not found), and if both are sent they must agree.`;

const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** `GET /events` (registered under /api/v1) and the process's realtime hub, closed with the app. */
export function realtimeRoutes(
  ctx: AppContext,
  options: RealtimeRoutesOptions = {},
): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { hub: given, ...hubOptions } = options;
    const hub = given ?? createRealtimeHub({ ...hubOptions, db: ctx.db, logger: ctx.logger });
    // Streams never finish by themselves: end them before the server waits for open requests.
    app.addHook('preClose', () => hub.close());
    app.addHook('onClose', () => hub.close());

    app.get(
      '/events',
      {
        config: { auth: 'workspace' },
        schema: {
          hide: false,
          tags: ['realtime'],
          summary: 'Live events of the workspace (Server-Sent Events)',
          description: EVENTS_DESCRIPTION,
          querystring: Type.Object(
            {
              after: Type.Optional(
                Type.Integer({
                  minimum: 0,
                  maximum: MAX_SEQ,
                  description: 'Deliver events with a greater seq',
                }),
              ),
              once: Type.Optional(
                Type.Integer({ minimum: 0, maximum: 1, description: '1: send what is available and end' }),
              ),
              workspaceId: Type.Optional(
                Type.String({
                  format: 'uuid',
                  description:
                    'The workspace, as X-Workspace-Id names it (EventSource cannot send headers); if both are sent they must agree',
                }),
              ),
            },
            strict,
          ),
          headers: Type.Object({
            'last-event-id': Type.Optional(
              Type.String({
                pattern: '^[0-9]{0,15}$',
                description: 'The last seq received; wins over `after`',
              }),
            ),
          }),
          response: {
            200: {
              description: 'An event stream (text/event-stream)',
              content: { 'text/event-stream': { schema: Type.String() } },
            },
            ...errorResponses,
            503: errorResponses[400],
          },
        },
      },
      async (req, reply) => {
        const header = req.headers['last-event-id'];
        const resumeAt = header ? Number(header) : (req.query.after ?? null);
        const scope = { workspaceId: req.query.workspaceId };
        const { workspaceId, afterSeq } = await withWorkspace(
          ctx,
          req,
          async ({ tx, actor, workspace }) => {
            authorize(actor, 'conversations.read');
            return {
              workspaceId: workspace.id,
              afterSeq: resumeAt ?? (await realtimeRepository(tx, workspace.id).latestSeq()),
            };
          },
          scope,
        );
        reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache, no-transform')
          .header('x-accel-buffering', 'no');
        // HEAD (Fastify answers it with this handler): the headers, and no stream to leave open.
        if (req.method === 'HEAD') return reply.send('');
        const out = new PassThrough();
        try {
          await hub.open({
            workspaceId,
            afterSeq,
            out,
            once: req.query.once === 1,
            // A revoked session or key, a changed role or a suspended workspace ends the stream.
            reauthorize: () =>
              withWorkspace(
                ctx,
                req,
                async ({ actor, workspace }) => {
                  authorize(actor, 'conversations.read');
                  return workspace.id === workspaceId;
                },
                scope,
              ),
          });
        } catch (err) {
          out.destroy();
          req.log.warn({ err }, 'realtime: cannot open a stream');
          throw new DomainError(
            'service_unavailable',
            'Live events are unavailable right now. Try again shortly.',
          );
        }
        // The 200 schema documents the stream as text; Fastify pipes a stream payload as it is.
        return reply.send(out as unknown as string);
      },
    );
  };
}
