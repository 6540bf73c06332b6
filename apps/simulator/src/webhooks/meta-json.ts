import { createHmac } from 'node:crypto';

const NON_ASCII_OR_SLASH = /[\u007f-\uffff/]/g;

/**
 * Serialises a webhook payload the way Meta does: standard JSON, then every character outside
 * printable ASCII as a lowercase `\uXXXX` escape (UTF-16 units, so emoji become surrogate
 * pairs) and every `/` as `\/`. Both only ever occur inside JSON strings, so the replacement
 * is safe on the whole text.
 */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload).replace(NON_ASCII_OR_SLASH, (ch) =>
    ch === '/' ? '\\/' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `X-Hub-Signature-256` value: `sha256=` + hex HMAC-SHA256(app secret, exact body bytes). */
export function signatureSha256(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Legacy `X-Hub-Signature` (SHA-1), still sent by Meta next to the SHA-256 header. */
export function signatureSha1(secret: string, body: string | Buffer): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
}
