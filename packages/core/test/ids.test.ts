// describe/it return promises that node:test itself awaits; nothing here floats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isUuid, newId, uuidFromBytes, uuidToBytes } from '../src/shared/ids.ts';

describe('newId (UUIDv7)', () => {
  it('has the RFC 9562 v7 layout: version 7, variant 10, current Unix ms in the first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    assert.ok(ms >= before && ms <= after + 1, `timestamp ${ms} outside [${before}, ${after}]`);
  });

  it('is strictly increasing within one process, even many per millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    for (let i = 1; i < ids.length; i++) {
      assert.ok((ids[i] as string) > (ids[i - 1] as string), `id ${i} not greater than id ${i - 1}`);
    }
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('isUuid', () => {
  it('accepts canonical UUIDs of any version and case', () => {
    assert.ok(isUuid(newId()));
    assert.ok(isUuid('123E4567-E89B-12D3-A456-426614174000'));
  });

  it('rejects other strings', () => {
    for (const s of ['', 'not-a-uuid', '123e4567e89b12d3a456426614174000', `${newId()}0`, ' ' + newId()]) {
      assert.equal(isUuid(s), false, s);
    }
  });
});

describe('uuid bytes', () => {
  it('round-trips through 16 raw bytes', () => {
    const id = newId();
    const bytes = uuidToBytes(id);
    assert.equal(bytes.length, 16);
    assert.equal(uuidFromBytes(bytes), id);
  });
});
