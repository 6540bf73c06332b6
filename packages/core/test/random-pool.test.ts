import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pooledRandomBytes } from '../src/shared/random-pool.ts';

test('pooled random bytes: the asked length, fresh buffers, never the same bytes twice across refills', () => {
  const seen = new Set<string>();
  // 3,000 × 16 bytes crosses several 8 KB refills.
  for (let i = 0; i < 3000; i += 1) {
    const piece = pooledRandomBytes(16);
    assert.equal(piece.length, 16);
    const hex = piece.toString('hex');
    assert.ok(!seen.has(hex), 'a 16-byte piece repeated');
    seen.add(hex);
  }
  const a = pooledRandomBytes(12);
  const copy = Buffer.from(a);
  pooledRandomBytes(12);
  assert.deepEqual(a, copy, 'a piece handed out is not changed by later calls');
});

test('pooled random bytes: bytes look uniform (each byte value about equally often)', () => {
  const counts = new Array<number>(256).fill(0);
  for (let i = 0; i < 4096; i += 1) for (const b of pooledRandomBytes(32)) counts[b]! += 1;
  // 131,072 bytes → 512 expected per value; a healthy generator stays far inside ±40 %.
  for (const c of counts) assert.ok(c > 307 && c < 717, `byte frequency ${c} is off`);
});

test('pooled random bytes: refuses sizes it was not made for', () => {
  assert.throws(() => pooledRandomBytes(257), RangeError);
  assert.throws(() => pooledRandomBytes(-1), RangeError);
  assert.throws(() => pooledRandomBytes(1.5), RangeError);
});
