import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` over the exact bytes
 * received, in constant time. Fails closed: false when the header or the secret is missing or
 * malformed, and when the header was sent more than once (Node gives an array then).
 */
export function verifyMetaSignature(
  rawBody: Buffer,
  header: string | readonly string[] | undefined,
  appSecret: string | undefined,
): boolean {
  if (!appSecret || typeof appSecret !== 'string') return false;
  if (typeof header !== 'string' || !(rawBody instanceof Uint8Array)) return false;
  const match = HEADER.exec(header.trim());
  const hex = match?.[1];
  if (!hex) return false;
  const received = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** The header value Meta would send for these bytes (for tests and local tooling). */
export function metaSignatureHeader(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
