import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  addNote,
  authorize,
  conversationTimeline,
  DomainError,
  getContactProfile,
  getConversation,
  getMessage,
  listConversations,
  markConversationRead,
  reportTyping,
  sendMessage,
  type Actor,
  type ConversationRecord,
  type OutboundContent,
} from '@parley/core';
import { conversationStoresFor, type AppContext, type ConversationStores } from '../app-context.ts';
import { withWorkspace } from '../http/request-auth.ts';
import { ContactView, contactView } from '../http/contact-views.ts';
import {
  ConversationListQuery,
  ConversationView,
  MessageView,
  NoteBody,
  SendMessageBody,
} from '../http/conversation-schemas.ts';
import { conversationView, messageView } from '../http/conversation-views.ts';
import { errorResponses, NoContent, strict, Uuid } from '../http/schemas.ts';
import { MEDIA_BYTES_CONTEXT } from '../workers/job-runner.ts';

const ConversationParams = Type.Object({ conversationId: Uuid }, strict);
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header, checked (printable ASCII, ≤ 255), or undefined. */
function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const h = req.headers['idempotency-key'];
  if (h === undefined) return undefined;
  if (typeof h !== 'string' || !IDEMPOTENCY_KEY.test(h)) {
    throw new DomainError('validation_failed', 'Idempotency-Key must be 1–255 printable ASCII characters.');
  }
  return h;
}

async function conversationViews(stores: ConversationStores, items: ConversationRecord[]) {
  const channels = new Map((await stores.channels.list()).map((c) => [c.id, c.kind]));
  const contacts = new Map(
    (await stores.contacts.getMany([...new Set(items.map((c) => c.contactId))])).map((c) => [c.id, c]),
  );
  return items.map((c) =>
    conversationView(c, channels.get(c.channelId) ?? null, stores.now, contacts.get(c.contactId) ?? null),
  );
}

function assigneeFilter(actor: Actor, value: string | undefined): string | undefined {
  if (value !== 'me') return value;
  if (actor.kind !== 'user')
    throw new DomainError('validation_failed', 'assigneeId=me needs a signed-in user.');
  return actor.userId;
}

/** MIME types a browser may show inline from our origin; anything else is a download. */
const INLINE_TYPES =
  /^(image\/(jpeg|png|gif|webp)|video\/(mp4|3gpp|webm)|audio\/(aac|amr|mpeg|mp4|ogg|opus|webm))(;|$)/;

/** The inbox: conversations, their timelines, replies, notes, read state, contacts and media. */
export function conversationRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const config = { auth: 'workspace' } as const;
    const tags = ['conversations'];
    const within = <T>(req: FastifyRequest, fn: (s: ConversationStores, actor: Actor) => Promise<T>) =>
      withWorkspace(ctx, req, ({ tx, actor }) =>
        fn(conversationStoresFor(ctx, tx, actor.workspaceId), actor),
      );

    app.get(
      '/conversations',
      {
        config,
        schema: {
          tags,
          summary: 'Conversations, newest activity first, with filters and search over message text',
          querystring: ConversationListQuery,
          response: {
            200: Type.Object({
              items: Type.Array(ConversationView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) =>
        within(req, async (stores, actor) => {
          const { cursor, limit, assigneeId, ...filter } = req.query;
          const assignee = assigneeFilter(actor, assigneeId);
          const page = await listConversations(
            {
              conversations: stores.conversations,
              blindIndex: (w) => stores.cipher.blindIndex(w, 'messages.search'),
            },
            actor,
            {
              ...filter,
              ...(assignee ? { assigneeId: assignee } : {}),
              cursor: cursor ?? null,
              limit: limit ?? 50,
            },
          );
          return { items: await conversationViews(stores, page.items), nextCursor: page.nextCursor };
        }),
    );

    app.get(
      '/conversations/:conversationId',
      {
        config,
        schema: {
          tags,
          summary: 'One conversation',
          params: ConversationParams,
          response: { 200: ConversationView, ...errorResponses },
        },
      },
      async (req) =>
        within(req, async (stores, actor) => {
          const [view] = await conversationViews(stores, [
            await getConversation(stores, actor, req.params.conversationId),
          ]);
          return view;
        }),
    );

    app.get(
      '/conversations/:conversationId/messages',
      {
        config,
        schema: {
          tags,
          summary: 'The timeline, newest first (messages and private notes); page back with `cursor`',
          params: ConversationParams,
          querystring: Type.Object(
            {
              cursor: Type.Optional(Type.String({ maxLength: 2048 })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            },
            strict,
          ),
          response: {
            200: Type.Object({
              items: Type.Array(MessageView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) =>
        within(req, async (stores, actor) => {
          const page = await conversationTimeline(stores, actor, {
            conversationId: req.params.conversationId,
            before: req.query.cursor ?? null,
            limit: req.query.limit ?? 50,
          });
          return { items: page.items.map(messageView), nextCursor: page.nextCursor };
        }),
    );

    app.post(
      '/conversations/:conversationId/messages',
      {
        config,
        schema: {
          tags,
          summary:
            'Reply to the customer (text, media by link, location, buttons, list, template, reaction). ' +
            'Checked against the messaging window; send an Idempotency-Key header to make retries safe.',
          params: ConversationParams,
          body: SendMessageBody,
          headers: Type.Object({
            'idempotency-key': Type.Optional(
              Type.String({
                maxLength: 255,
                description: 'Retries with the same key return the first message',
              }),
            ),
          }),
          response: { 200: MessageView, 201: MessageView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const idempotencyKey = idempotencyKeyOf(req);
        const requestHash = idempotencyKey
          ? createHash('sha256')
              .update(`${req.params.conversationId}\n${JSON.stringify(req.body)}`)
              .digest('hex')
          : undefined;
        const { message, replayed } = await within(req, (stores, actor) =>
          sendMessage(stores, actor, {
            conversationId: req.params.conversationId,
            content: req.body.content as OutboundContent,
            ...(req.body.replyToMessageId ? { replyToMessageId: req.body.replyToMessageId } : {}),
            ...(idempotencyKey ? { idempotencyKey, requestHash } : {}),
          }),
        );
        if (!replayed) ctx.work.notify();
        return reply.status(replayed ? 200 : 201).send(messageView(message));
      },
    );

    app.post(
      '/conversations/:conversationId/notes',
      {
        config,
        schema: {
          tags,
          summary: 'A private note for the team (never sent to the customer)',
          params: ConversationParams,
          body: NoteBody,
          response: { 201: MessageView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const note = await within(req, (stores, actor) =>
          addNote(stores, actor, { conversationId: req.params.conversationId, text: req.body.text }),
        );
        return reply.status(201).send(messageView(note));
      },
    );

    app.post(
      '/conversations/:conversationId/read',
      {
        config,
        schema: {
          tags,
          summary: 'Mark as read: clears the unread count and sends the customer a read receipt',
          params: ConversationParams,
          response: { 200: ConversationView, ...errorResponses },
        },
      },
      async (req) => {
        const view = await within(req, async (stores, actor) => {
          const c = await markConversationRead(stores, actor, req.params.conversationId);
          return (await conversationViews(stores, [c]))[0];
        });
        ctx.work.notify();
        return view;
      },
    );

    app.post(
      '/conversations/:conversationId/typing',
      {
        config,
        schema: {
          tags,
          summary: 'Tell the rest of the team you are typing in this conversation',
          params: ConversationParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await within(req, (stores, actor) => reportTyping(stores, actor, req.params.conversationId));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/messages/:messageId',
      {
        config,
        schema: {
          tags,
          summary: 'One message with its delivery status',
          params: Type.Object({ messageId: Uuid }, strict),
          response: { 200: MessageView, ...errorResponses },
        },
      },
      async (req) =>
        within(req, async (stores, actor) =>
          messageView(await getMessage(stores, actor, req.params.messageId)),
        ),
    );

    app.get(
      '/contacts/:contactId',
      {
        config,
        schema: {
          tags: ['contacts'],
          summary: 'A contact: profile, how they are reached on each channel, and custom field values',
          params: Type.Object({ contactId: Uuid }, strict),
          response: { 200: ContactView, ...errorResponses },
        },
      },
      async (req) =>
        within(req, async (stores, actor) =>
          contactView(await getContactProfile(stores, actor, req.params.contactId)),
        ),
    );

    app.get(
      '/media/:mediaId',
      {
        config,
        schema: {
          tags,
          summary:
            'The bytes of a received media file. Images, video and audio are served inline; anything else (SVG, HTML, PDF…) as a download',
          params: Type.Object({ mediaId: Uuid }, strict),
        },
      },
      async (req, reply) => {
        const file = await within(req, async (stores, actor) => {
          authorize(actor, 'conversations.read');
          const media = await stores.media.get(req.params.mediaId);
          if (!media) throw new DomainError('not_found', 'Media not found.');
          if (media.status !== 'stored' || !media.storageKey) {
            throw new DomainError(
              'media_not_ready',
              media.status === 'failed'
                ? 'This media could not be downloaded from Meta.'
                : 'This media is still being downloaded.',
            );
          }
          const sealed = await ctx.storage.get(media.storageKey);
          return {
            bytes: await stores.cipher.decrypt(sealed, MEDIA_BYTES_CONTEXT),
            mimeType: media.mimeType ?? 'application/octet-stream',
            id: media.id,
          };
        });
        const inline = INLINE_TYPES.test(file.mimeType);
        return reply
          .header('content-type', inline ? file.mimeType : 'application/octet-stream')
          .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${file.id}"`)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, max-age=3600')
          .send(file.bytes);
      },
    );
  };
}
