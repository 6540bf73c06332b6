import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import type { SimMedia } from '../state/model.ts';

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'application/pdf': 'pdf',
};

function sign(id: string, oe: string): string {
  return createHmac('sha256', 'sim-cdn').update(`${id}:${oe}`).digest('hex').slice(0, 32);
}

/**
 * The `payload.url` of a Messenger/Instagram customer attachment: a signed CDN link that anyone
 * holding it can fetch, with no access token (unlike WhatsApp media). `oe` is the expiry in hex
 * Unix seconds (account clock), `oh` the signature; after `timing.attachmentUrlTtlMs` it answers 403.
 */
export function attachmentUrl(ctx: SimContext, media: SimMedia): string {
  const expires = Math.floor((ctx.clock.now(media.ownerId) + ctx.timing.attachmentUrlTtlMs) / 1000);
  const oe = expires.toString(16).toUpperCase();
  const name = media.filename ?? `${media.id}.${EXTENSIONS[media.mimeType] ?? 'bin'}`;
  return `${ctx.baseUrl}/_cdn/${media.id}/${encodeURIComponent(name)}?oe=${oe}&oh=${sign(media.id, oe)}`;
}

/** `GET /_cdn/{id}/{name}?oe&oh`: the CDN stand-in serving attachment bytes without authentication. */
export function registerAttachmentCdn(app: FastifyInstance, ctx: SimContext): void {
  app.get(
    '/_cdn/:id/:name',
    async (
      request: FastifyRequest<{ Params: { id: string; name: string }; Querystring: Record<string, string> }>,
      reply,
    ) => {
      const { oe, oh } = request.query;
      const media = ctx.store.attachments.get(request.params.id);
      const text = (status: number, body: string) =>
        reply.code(status).type('text/plain; charset=utf-8').send(body);
      if (!oe || !oh || oh !== sign(request.params.id, oe)) return text(403, 'Bad URL hash');
      if (!media) return text(404, 'Not Found');
      if (ctx.clock.now(media.ownerId) / 1000 > parseInt(oe, 16)) return text(403, 'URL signature expired');
      return reply
        .header('content-type', media.mimeType)
        .header('content-length', media.data.length)
        .header('cache-control', 'max-age=1209600, no-transform')
        .send(media.data);
    },
  );
}
