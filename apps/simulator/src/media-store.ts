import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import type { SimContext } from './context.ts';
import type { SimMedia } from './state/model.ts';

/** Total bytes of media kept in memory; the oldest items are evicted beyond this. */
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;

/** A small solid-colour PNG used when a simulated customer "sends a photo" without providing one. */
export function placeholderPng(size = 96, rgb: [number, number, number] = [0x25, 0xd3, 0x66]): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typed) >>> 0);
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + size * 3);
  for (let x = 0; x < size; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function storeMedia(
  ctx: SimContext,
  ownerId: string,
  data: Buffer,
  mimeType: string,
  filename: string | null,
  where: 'graph' | 'cdn' = 'graph',
): SimMedia {
  const media: SimMedia = {
    id: ctx.ids.numeric(),
    ownerId,
    mimeType,
    data,
    sha256: createHash('sha256').update(data).digest('hex'),
    filename,
    createdAt: ctx.clock.now(ownerId),
  };
  (where === 'cdn' ? ctx.store.attachments : ctx.store.media).set(media.id, media);
  let total = 0;
  for (const map of [ctx.store.media, ctx.store.attachments])
    for (const m of map.values()) total += m.data.length;
  for (const map of [ctx.store.media, ctx.store.attachments]) {
    for (const [id, m] of map) {
      if (total <= MAX_TOTAL_BYTES) return media;
      if (id === media.id) continue;
      total -= m.data.length;
      map.delete(id);
    }
  }
  return media;
}

/** Meta's size limits per media type (bytes) and accepted MIME types. */
export const MEDIA_RULES: Record<string, { max: number; mimes: string[] }> = {
  image: { max: 5 * 1024 * 1024, mimes: ['image/jpeg', 'image/png'] },
  audio: {
    max: 16 * 1024 * 1024,
    mimes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg', 'audio/opus'],
  },
  video: { max: 16 * 1024 * 1024, mimes: ['video/mp4', 'video/3gpp', 'video/3gp'] },
  sticker: { max: 500 * 1024, mimes: ['image/webp'] },
  document: {
    max: 100 * 1024 * 1024,
    mimes: [
      'text/plain',
      'application/pdf',
      'application/vnd.ms-powerpoint',
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ],
  },
};

export function mediaKindOf(mimeType: string): string | undefined {
  const base = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (base === 'image/webp') return 'sticker';
  for (const [kind, rule] of Object.entries(MEDIA_RULES)) if (rule.mimes.includes(base)) return kind;
  return undefined;
}
