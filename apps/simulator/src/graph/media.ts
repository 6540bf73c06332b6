import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import { MEDIA_RULES, mediaKindOf, storeMedia } from '../media-store.ts';
import type { SimMedia, SimPhoneNumber } from '../state/model.ts';
import { GraphError, invalidValue, plainParameterError } from './graph-error.ts';

/** `POST /{phone-number-id}/media` (multipart: `file`, `type`, `messaging_product`). */
export async function uploadMedia(
  ctx: SimContext,
  phone: SimPhoneNumber,
  request: FastifyRequest,
): Promise<{ id: string }> {
  if (!request.isMultipart()) throw plainParameterError('Media upload expects multipart/form-data.');
  const fields: Record<string, string> = {};
  let file: { data: Buffer; mimeType: string; filename: string } | null = null;
  try {
    for await (const part of request.parts({ limits: { fileSize: 101 * 1024 * 1024 } })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        file = { data, mimeType: part.mimetype, filename: part.filename };
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch {
    throw plainParameterError('Invalid multipart body.');
  }
  if (fields.messaging_product !== 'whatsapp')
    throw plainParameterError('The parameter messaging_product is required.');
  if (!file) throw plainParameterError('The parameter file is required.');
  const mimeType = (fields.type ?? file.mimeType).split(';')[0]?.trim().toLowerCase() ?? '';
  const kind = mediaKindOf(mimeType);
  if (!kind)
    throw new GraphError(400, 131053, '(#131053) Media upload error', {
      details: `Unsupported MIME type: ${mimeType}`,
    });
  const rule = MEDIA_RULES[kind];
  if (rule && file.data.length > rule.max) {
    throw new GraphError(400, 131053, '(#131053) Media upload error', {
      details: `${kind} is ${file.data.length} bytes; the maximum is ${rule.max}.`,
    });
  }
  const media = storeMedia(ctx, phone.id, file.data, mimeType, file.filename || null);
  return { id: media.id };
}

function signUrl(ctx: SimContext, media: SimMedia, expires: number): string {
  return createHmac('sha256', 'sim-media').update(`${media.id}:${expires}`).digest('hex').slice(0, 24);
}

/** `GET /{media-id}`: a short-lived URL that needs the Bearer token to download. */
export function mediaUrlJson(ctx: SimContext, media: SimMedia): Record<string, unknown> {
  const expires = ctx.clock.now() + ctx.timing.mediaUrlTtlMs;
  const url = `${ctx.baseUrl}/_media/${media.id}?ext=${expires}&hash=${signUrl(ctx, media, expires)}`;
  return {
    messaging_product: 'whatsapp',
    url,
    mime_type: media.mimeType,
    sha256: media.sha256,
    file_size: String(media.data.length),
    id: media.id,
  };
}

/** Validates a download URL's expiry and hash (the token is checked by the caller). */
export function checkDownload(
  ctx: SimContext,
  media: SimMedia,
  ext: string | undefined,
  hash: string | undefined,
): void {
  const expires = Number(ext);
  if (!Number.isFinite(expires) || hash !== signUrl(ctx, media, expires))
    throw invalidValue('Invalid media URL');
  if (ctx.clock.now() > expires)
    throw new GraphError(404, 100, 'Media URL expired; request a new one with GET /{media-id}.');
}
