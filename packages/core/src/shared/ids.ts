import { randomInt } from 'node:crypto';

import { DomainError } from './domain-error.ts';
import { pooledRandomBytes } from './random-pool.ts';

// UUIDv7 (RFC 9562 §5.7): 48-bit Unix ms timestamp | ver 0111 | rand_a (12) | var 10 | rand_b (62).
// Monotonicity within one millisecond follows RFC 9562 §6.2 method 1: a 42-bit counter occupies
// rand_a and the top 30 bits of rand_b, seeded randomly (top bit clear) at each new millisecond
// and incremented for each further id in that millisecond; the last 32 bits stay random.
const COUNTER_BITS = 42;
const COUNTER_MAX = 2 ** COUNTER_BITS - 1;
const COUNTER_SEED_LIMIT = 2 ** (COUNTER_BITS - 1);
const LOW_COUNTER_BITS = 30;

let lastMs = -1;
let counter = 0;

function seedCounter(): number {
  // randomInt's range is limited to < 2^48, which 2^41 satisfies.
  return randomInt(0, COUNTER_SEED_LIMIT);
}

/** A new UUIDv7: time-ordered, and strictly increasing within this process. */
export function newId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = seedCounter();
  } else {
    // Same millisecond, or the clock went backwards: keep lastMs so order is preserved.
    counter += 1;
    if (counter > COUNTER_MAX) {
      lastMs += 1;
      counter = seedCounter();
    }
  }

  const bytes = pooledRandomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  const high = Math.floor(counter / 2 ** LOW_COUNTER_BITS); // 12 bits → rand_a
  const low = counter % 2 ** LOW_COUNTER_BITS; // 30 bits → top of rand_b
  bytes[6] = 0x70 | (high >>> 8);
  bytes[7] = high & 0xff;
  bytes[8] = 0x80 | (low >>> 24);
  bytes[9] = (low >>> 16) & 0xff;
  bytes[10] = (low >>> 8) & 0xff;
  bytes[11] = low & 0xff;
  return uuidFromBytes(bytes);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for any UUID in canonical 8-4-4-4-12 hex form (any version, either case). */
export function isUuid(s: string): boolean {
  return UUID_PATTERN.test(s);
}

/** The 16 raw bytes of a UUID string. */
export function uuidToBytes(uuid: string): Buffer {
  if (!isUuid(uuid)) throw new DomainError('invalid_uuid', 'Expected a UUID.');
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/** The lowercase canonical string of 16 raw UUID bytes. */
export function uuidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new DomainError('invalid_uuid', 'Expected 16 bytes for a UUID.');
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
