import { randomBytes } from 'node:crypto';

/**
 * Identifier factories. Meta's ids are numeric strings (never JS numbers); message ids are
 * opaque (`wamid.` for WhatsApp, `m_` for Messenger/Instagram).
 */
export class IdFactory {
  private counter: bigint;
  private seq = 0;

  constructor(start = 100_000_000_000_000n) {
    this.counter = start;
  }

  /** A fresh numeric id like Meta's (15+ digits, as a string). */
  numeric(): string {
    this.counter += BigInt(1 + Math.floor(Math.random() * 97));
    return this.counter.toString();
  }

  /** A WhatsApp message id: `wamid.` + base64 of the recipient and a unique suffix. */
  wamid(recipient: string): string {
    this.seq += 1;
    const inner = `\u001c\u0018\u000b${recipient}\u0015\u0002\u0000\u0011\u0018\u0012${this.seq.toString(16).toUpperCase()}${randomHex(6)}`;
    return `wamid.${Buffer.from(inner, 'latin1').toString('base64')}`;
  }

  /** A Messenger/Instagram message id. */
  mid(): string {
    this.seq += 1;
    return `m_${randomBytes(18).toString('base64url')}${this.seq.toString(36)}`;
  }
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}

export function fbtraceId(): string {
  return randomBytes(8).toString('base64url').replace(/[-_]/g, 'A');
}

export function randomToken(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}
