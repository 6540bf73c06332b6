import { createHash } from 'node:crypto';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  ATTACHMENT_RULES,
  checkAttachmentTarget,
  DomainError,
  maxAttachmentBytes,
  uploadAttachment,
} from '@parley/core';
import { conversationStoresFor, type AppContext } from '../app-context.ts';
import { withWorkspace } from '../http/request-auth.ts';
import { errorResponses, strict, Timestamp, Uuid } from '../http/schemas.ts';

const MediaTypeSchema = Type.Union([
  Type.Literal('image'),
  Type.Literal('video'),
  Type.Literal('audio'),
  Type.Literal('document'),
  Type.Literal('sticker'),
]);

export const AttachmentView = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  mediaType: MediaTypeSchema,
  mimeType: Type.String(),
  sizeBytes: Type.Integer(),
  filename: Type.Union([Type.String(), Type.Null()]),
  uploadedAt: Timestamp,
});

interface ReadFile {
  bytes: Buffer;
  mimeType: string;
  filename: string | null;
}

/**
 * Reads the one `file` part of a multipart body into memory, refusing more than `maxBytes`
 * (413 `media_too_large`) and anything but exactly one file (400).
 */
async function readOneFile(req: FastifyRequest, maxBytes: number): Promise<ReadFile> {
  if (!req.isMultipart()) {
    throw new DomainError(
      'unsupported_media_type',
      'Upload the file as multipart/form-data with one part named "file".',
    );
  }
  let file: ReadFile | null = null;
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 2 } })) {
      if (part.type !== 'file' || part.fieldname !== 'file' || file) {
        throw new DomainError('validation_failed', 'Send one part named "file" and nothing else.');
      }
      const bytes = await part.toBuffer();
      file = { bytes, mimeType: part.mimetype, filename: part.filename || null };
    }
  } catch (e) {
    if (e instanceof DomainError) throw e;
    const code = (e as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new DomainError(
        'media_too_large',
        `The file is larger than ${Math.round((maxBytes / 1024 / 1024) * 10) / 10} MB, the most that can be sent.`,
        { maxBytes },
      );
    }
    throw new DomainError('validation_failed', 'The multipart body could not be read.');
  }
  if (!file) throw new DomainError('validation_failed', 'Send the file in a part named "file".');
  return file;
}

/** Files the team uploads to send: `POST /conversations/:id/attachments`, then send by the returned id. */
export function attachmentRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Scoped to this plugin: multipart bodies are parsed (streamed, with limits) only here.
    await app.register(multipart, {
      limits: { fileSize: maxAttachmentBytes(ctx.config.media.maxBytes), files: 1, fields: 0, parts: 2 },
    });
    const within = <T>(
      req: FastifyRequest,
      fn: (
        s: ReturnType<typeof conversationStoresFor>,
        actor: Parameters<typeof checkAttachmentTarget>[1],
      ) => Promise<T>,
    ) =>
      withWorkspace(ctx, req, ({ tx, actor }) =>
        fn(conversationStoresFor(ctx, tx, actor.workspaceId), actor),
      );

    app.post(
      '/conversations/:conversationId/attachments',
      {
        config: { auth: 'workspace' },
        schema: {
          tags: ['conversations'],
          summary:
            'Upload a file to send in this conversation (multipart/form-data, one part named "file"). ' +
            'Send it with POST /conversations/:id/messages and `{type, media: {id}}`. WhatsApp only; ' +
            `Meta's limits apply: images JPEG/PNG ≤ ${ATTACHMENT_RULES.image.max / 1048576} MB, video MP4/3GPP and audio ≤ 16 MB, ` +
            'WebP stickers ≤ 500 KB, PDF/text/Office documents ≤ 100 MB (and MEDIA_MAX_BYTES). SVG, HTML, XML and other types are refused.',
          params: Type.Object({ conversationId: Uuid }, strict),
          consumes: ['multipart/form-data'],
          response: { 201: AttachmentView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const conversationId = req.params.conversationId;
        // Who may upload where is settled before the body is read.
        await within(req, (stores, actor) => checkAttachmentTarget(stores, actor, conversationId));
        const maxBytes = maxAttachmentBytes(ctx.config.media.maxBytes);
        const file = await readOneFile(req, maxBytes);
        const sha256 = createHash('sha256').update(file.bytes).digest('hex');
        const uploaded = await within(req, (stores, actor) =>
          uploadAttachment(stores, actor, {
            conversationId,
            bytes: file.bytes,
            declaredMimeType: file.mimeType,
            filename: file.filename,
            sha256,
            maxBytes,
          }),
        );
        return reply.status(201).send({ ...uploaded, uploadedAt: uploaded.uploadedAt.toISOString() });
      },
    );
  };
}
