// describe/it return promises that node:test itself awaits; nothing here floats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { decodeCursor, encodeCursor } from '../src/shared/cursor.ts';
import { DomainError } from '../src/shared/domain-error.ts';

function assertInvalidCursor(s: string): void {
  assert.throws(
    () => decodeCursor(s),
    (e: unknown) => e instanceof DomainError && e.code === 'invalid_cursor',
    `expected invalid_cursor for ${JSON.stringify(s)}`,
  );
}

describe('cursor', () => {
  it('round-trips values', () => {
    const values = { createdAt: '2025-01-01T00:00:00.000Z', id: 'abc', n: 42 };
    const cursor = encodeCursor(values);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(cursor), values);
  });

  it('round-trips any record of strings and finite numbers', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string(),
          fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        ),
        (values) => {
          assert.deepEqual(decodeCursor(encodeCursor(values)), JSON.parse(JSON.stringify(values)));
        },
      ),
    );
  });

  it('rejects malformed input with invalid_cursor', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    for (const s of [
      '',
      '!!!',
      'a b',
      b64('not json'),
      b64('[1,2]'),
      b64('null'),
      b64('"str"'),
      b64('{"a":{"b":1}}'),
      b64('{"a":true}'),
      b64('{"a":null}'),
      'x'.repeat(5000),
    ]) {
      assertInvalidCursor(s);
    }
  });

  it('never throws anything but invalid_cursor on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          decodeCursor(s);
        } catch (e) {
          assert.ok(e instanceof DomainError && e.code === 'invalid_cursor');
        }
      }),
    );
  });
});
