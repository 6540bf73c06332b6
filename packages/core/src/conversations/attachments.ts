import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import { authorize, type Actor } from '../workspaces/actor.ts';
import type { ChannelKind, MediaType } from './canonical.ts';
import type { ChannelStore, ConversationStore } from './ports.ts';

/**
 * Files an agent uploads to send (attachments). Meta's rules for WhatsApp Cloud API media
 * (reference §1.4): each media type takes a few MIME types up to a size. Anything else — SVG,
 * HTML, XML, archives, executables — is refused before it is stored.
 */
export const ATTACHMENT_RULES: Record<MediaType, { max: number; mimes: string[] }> = {
  image: { max: 5 * 1024 * 1024, mimes: ['image/jpeg', 'image/png'] },
  video: { max: 16 * 1024 * 1024, mimes: ['video/mp4', 'video/3gpp'] },
  audio: {
    max: 16 * 1024 * 1024,
    mimes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
  },
  sticker: { max: 500 * 1024, mimes: ['image/webp'] },
  document: {
    max: 100 * 1024 * 1024,
    mimes: [
      'application/pdf',
      'text/plain',
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
  },
};

/** The channels that take uploaded files. Messenger and Instagram take media by link only (see docs/attachments.md). */
export const ATTACHMENT_CHANNELS: readonly ChannelKind[] = ['whatsapp'];

/** An uploaded file waiting to be sent (its bytes are stored encrypted beside it). */
export interface UploadedFile {
  id: string;
  conversationId: string;
  mediaType: MediaType;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  filename: string | null;
  uploadedAt: Date;
}

/** Where uploaded files wait until they are sent (encrypted; one workspace). */
export interface UploadStore {
  put(file: UploadedFile, bytes: Buffer): Promise<{ storageKey: string }>;
  get(id: string): Promise<(UploadedFile & { storageKey: string }) | null>;
}

const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'video/3gp': 'video/3gpp',
  'audio/mp3': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/opus': 'audio/ogg',
};

/** Lower-cased MIME type without parameters, with common aliases folded. */
export function normalizeMimeType(value: string): string {
  const base = value.split(';')[0]?.trim().toLowerCase() ?? '';
  return ALIASES[base] ?? base;
}

const startsWith = (b: Buffer, sig: number[], at = 0) =>
  b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (b: Buffer, from: number, to: number) => b.subarray(from, to).toString('latin1');

/** What the bytes themselves say they are (magic numbers); null when nothing is recognised. */
export function sniffMimeType(b: Buffer): string | null {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'image/webp';
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(b, 0, 5) === '%PDF-') return 'application/pdf';
  if (ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    if (brand.startsWith('3g')) return 'video/3gpp';
    if (brand === 'M4A ' || brand === 'M4B ') return 'audio/mp4';
    return 'video/mp4';
  }
  if (ascii(b, 0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(b, 0, 5) === '#!AMR') return 'audio/amr';
  if (ascii(b, 0, 3) === 'ID3') return 'audio/mpeg';
  if (b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xf6) === 0xf0) return 'audio/aac';
  if (b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0) return 'audio/mpeg';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return 'application/zip';
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'application/x-ole-storage';
  const head = ascii(b, 0, 512)
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  if (/^<(\?xml|svg|!doctype|html|head|body|script|iframe|!--)/.test(head)) return 'text/markup';
  return null;
}

/** The signature each accepted type must carry (text/plain has none, but must not be markup or binary). */
function contentMatches(mimeType: string, sniffed: string | null, bytes: Buffer): boolean {
  if (mimeType === 'text/plain') return sniffed === null && !bytes.subarray(0, 8192).includes(0);
  if (mimeType.startsWith('application/vnd.openxmlformats')) return sniffed === 'application/zip';
  if (['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint'].includes(mimeType))
    return sniffed === 'application/x-ole-storage';
  if (mimeType === 'audio/mp4' || mimeType === 'video/mp4' || mimeType === 'video/3gpp')
    return sniffed === 'audio/mp4' || sniffed === 'video/mp4' || sniffed === 'video/3gpp';
  if (mimeType === 'audio/aac' || mimeType === 'audio/mpeg')
    return sniffed === 'audio/aac' || sniffed === 'audio/mpeg';
  return sniffed === mimeType;
}

function mediaTypeOf(mimeType: string): MediaType | null {
  for (const [type, rule] of Object.entries(ATTACHMENT_RULES)) {
    if (rule.mimes.includes(mimeType)) return type as MediaType;
  }
  return null;
}

const MB = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

/**
 * Checks a file against Meta's rules and the install's MEDIA_MAX_BYTES. The declared type (the
 * browser's guess) must be one Meta accepts and the bytes must carry its signature, so an SVG or
 * HTML page renamed to `.png` is refused.
 */
export function checkAttachment(file: { bytes: Buffer; declaredMimeType: string; maxBytes: number }): {
  mimeType: string;
  mediaType: MediaType;
} {
  const declared = normalizeMimeType(file.declaredMimeType);
  const sniffed = sniffMimeType(file.bytes);
  // A generic declared type (application/octet-stream, empty) is replaced by what the bytes say.
  const mimeType =
    (declared === '' || declared === 'application/octet-stream') && sniffed ? sniffed : declared;
  const mediaType = mediaTypeOf(mimeType);
  if (!mediaType) {
    throw new DomainError(
      'media_type_not_allowed',
      `Files of type ${mimeType || 'unknown'} cannot be sent. Send a JPEG or PNG picture, an MP4 video, an audio file (AAC, AMR, MP3, M4A, OGG), a WebP sticker, or a PDF, text or Office document.`,
      { mimeType: mimeType || null },
    );
  }
  if (file.bytes.length === 0) throw new DomainError('validation_failed', 'The file is empty.');
  const rule = ATTACHMENT_RULES[mediaType];
  const max = Math.min(rule.max, file.maxBytes);
  if (file.bytes.length > max) {
    throw new DomainError(
      'media_too_large',
      `This ${mediaType} is ${MB(file.bytes.length)}; the most that can be sent is ${MB(max)}.`,
      { maxBytes: max, sizeBytes: file.bytes.length, mediaType },
    );
  }
  if (!contentMatches(mimeType, sniffed, file.bytes)) {
    throw new DomainError(
      'media_content_mismatch',
      `The file says it is ${mimeType}, but its content is not. Export it again in that format.`,
      { mimeType },
    );
  }
  return { mimeType, mediaType };
}

/** The most bytes any upload may have on this install (Meta's largest, documents, or MEDIA_MAX_BYTES). */
export function maxAttachmentBytes(configuredMax: number): number {
  return Math.min(configuredMax, ATTACHMENT_RULES.document.max);
}

/** Filenames are shown to the customer (documents): no paths, no control characters, ≤ 240 chars. */
export function cleanFilename(name: string | null | undefined): string | null {
  if (!name) return null;
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base ? base.slice(0, 240) : null;
}

type AttachDeps = { conversations: ConversationStore; channels: ChannelStore };

/**
 * May this actor attach a file to this conversation? Checked before the upload is read, so a
 * conversation of another workspace is "not found" whatever the body holds.
 */
export async function checkAttachmentTarget(
  deps: AttachDeps,
  actor: Actor,
  conversationId: string,
): Promise<{ channelKind: ChannelKind }> {
  authorize(actor, 'conversations.write');
  const conversation = await deps.conversations.get(conversationId);
  if (!conversation) throw new DomainError('not_found', 'Conversation not found.');
  const channel = await deps.channels.get(conversation.channelId);
  if (!channel) throw new DomainError('not_found', 'Channel not found.');
  if (!ATTACHMENT_CHANNELS.includes(channel.kind)) {
    throw new DomainError(
      'attachments_not_supported',
      `Files cannot be uploaded to ${channel.kind === 'instagram' ? 'Instagram' : 'Messenger'} conversations yet. Send media by link instead.`,
      { channelKind: channel.kind },
    );
  }
  return { channelKind: channel.kind };
}

/** Stores an uploaded file (encrypted) for a later send; returns what the send API takes. */
export async function uploadAttachment(
  deps: AttachDeps & { uploads: UploadStore; now: Date },
  actor: Actor,
  input: {
    conversationId: string;
    bytes: Buffer;
    declaredMimeType: string;
    filename: string | null;
    sha256: string;
    maxBytes: number;
  },
): Promise<UploadedFile> {
  await checkAttachmentTarget(deps, actor, input.conversationId);
  const { mimeType, mediaType } = checkAttachment({
    bytes: input.bytes,
    declaredMimeType: input.declaredMimeType,
    maxBytes: input.maxBytes,
  });
  const file: UploadedFile = {
    id: newId(),
    conversationId: input.conversationId,
    mediaType,
    mimeType,
    sizeBytes: input.bytes.length,
    sha256: input.sha256,
    filename: cleanFilename(input.filename),
    uploadedAt: deps.now,
  };
  await deps.uploads.put(file, input.bytes);
  return file;
}
