import { randomFillSync } from 'node:crypto';

// Each crypto.randomBytes call is a synchronous trip into OpenSSL's generator; ids and IVs on a
// busy ingest path need millions of small pieces. One fill of POOL_BYTES serves hundreds of them
// (the same idea as Node's own randomUUID cache). The bytes are the same CSPRNG output, handed out
// once each: a piece is copied out and the pool position moves past it.
const POOL_BYTES = 8 * 1024;
const pool = Buffer.alloc(POOL_BYTES);
let position = POOL_BYTES;

/** `n` fresh cryptographically random bytes (a new Buffer; n ≤ 256). */
export function pooledRandomBytes(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new RangeError('pooledRandomBytes: 0 ≤ n ≤ 256');
  if (position + n > POOL_BYTES) {
    randomFillSync(pool);
    position = 0;
  }
  const out = Buffer.allocUnsafe(n);
  pool.copy(out, 0, position, position + n);
  // Never hand the same bytes out twice, even if the copy above is the last reader.
  pool.fill(0, position, position + n);
  position += n;
  return out;
}
