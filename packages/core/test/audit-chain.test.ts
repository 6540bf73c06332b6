// describe/it return promises that node:test itself awaits; nothing here floats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  type AuditEntry,
  GENESIS_HASH,
  canonicalAuditPayload,
  computeAuditHash,
  verifyAuditChain,
} from '../src/privacy/audit-chain.ts';

type NewEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;

function buildChain(events: NewEntry[]): AuditEntry[] {
  const chain: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  events.forEach((event, i) => {
    const unhashed = { ...event, seq: i + 1, prevHash };
    const entry = { ...unhashed, hash: computeAuditHash(unhashed) };
    chain.push(entry);
    prevHash = entry.hash;
  });
  return chain;
}

function event(i: number): NewEntry {
  return {
    workspaceId: '0190f3a4-0000-7000-8000-000000000001',
    occurredAt: new Date(Date.UTC(2025, 0, 1, 12, 0, i)),
    actorType: i % 2 === 0 ? 'user' : 'system',
    actorId: i % 2 === 0 ? `user-${i}` : null,
    action: i % 3 === 0 ? 'contact.exported' : 'member.invited',
    targetType: 'contact',
    targetId: `contact-${i}`,
    outcome: 'success',
    ip: '203.0.113.7',
    metadata: { count: i, nested: { z: 1, a: [1, { y: 2, b: 3 }] } },
  };
}

const chain = (n: number) => buildChain(Array.from({ length: n }, (_, i) => event(i)));

// One mutation per field, producing a value different from any the builder uses.
const FIELD_MUTATIONS: Record<keyof AuditEntry, (e: AuditEntry) => AuditEntry> = {
  seq: (e) => ({ ...e, seq: e.seq + 100 }),
  workspaceId: (e) => ({ ...e, workspaceId: null }),
  occurredAt: (e) => ({ ...e, occurredAt: new Date(e.occurredAt.getTime() + 1) }),
  actorType: (e) => ({ ...e, actorType: 'operator' }),
  actorId: (e) => ({ ...e, actorId: 'someone-else' }),
  action: (e) => ({ ...e, action: 'contact.deleted' }),
  targetType: (e) => ({ ...e, targetType: null }),
  targetId: (e) => ({ ...e, targetId: 'contact-x' }),
  outcome: (e) => ({ ...e, outcome: 'denied' }),
  ip: (e) => ({ ...e, ip: '198.51.100.1' }),
  metadata: (e) => ({ ...e, metadata: { ...e.metadata, count: -1 } }),
  prevHash: (e) => ({ ...e, prevHash: 'f'.repeat(64) }),
  hash: (e) => ({ ...e, hash: 'e'.repeat(64) }),
};

describe('canonicalAuditPayload', () => {
  it('sorts keys at every depth and writes dates as ISO strings', () => {
    const [entry] = chain(1);
    assert.ok(entry);
    const payload = canonicalAuditPayload({
      ...entry,
      metadata: { b: { d: 1, c: new Date(0) }, a: [{ f: 1, e: 2 }] },
    });
    assert.ok(
      payload.includes('"metadata":{"a":[{"e":2,"f":1}],"b":{"c":"1970-01-01T00:00:00.000Z","d":1}}'),
    );
    assert.ok(payload.includes('"occurredAt":"2025-01-01T12:00:00.000Z"'));
    const keys = Object.keys(JSON.parse(payload) as object);
    assert.deepEqual(keys, [...keys].sort());
  });

  it('does not depend on key insertion order or on extra properties', () => {
    const [entry] = chain(1);
    assert.ok(entry);
    const reordered = Object.fromEntries(Object.entries(entry).reverse()) as unknown as AuditEntry; // same fields
    assert.equal(canonicalAuditPayload(reordered), canonicalAuditPayload(entry));
    assert.equal(
      canonicalAuditPayload({ ...entry, id: 'row-id' } as AuditEntry),
      canonicalAuditPayload(entry),
    );
  });

  it('hashes the same after the metadata went through JSON (as in a jsonb column)', () => {
    const [entry] = chain(1);
    assert.ok(entry);
    const withDate = { ...entry, metadata: { at: new Date(5), skipped: undefined, n: 1 } };
    const roundTripped = {
      ...entry,
      metadata: JSON.parse(JSON.stringify(withDate.metadata)) as Record<string, unknown>,
    };
    assert.equal(computeAuditHash(withDate), computeAuditHash(roundTripped));
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain and an empty one', () => {
    assert.deepEqual(verifyAuditChain(chain(5)), { ok: true, count: 5 });
    assert.deepEqual(verifyAuditChain([]), { ok: true, count: 0 });
  });

  it('verifies a long chain in batches with startAfter', () => {
    const entries = chain(6);
    const last = entries[2];
    assert.ok(last);
    assert.deepEqual(verifyAuditChain(entries.slice(3), { seq: last.seq, hash: last.hash }), {
      ok: true,
      count: 3,
    });
    assert.equal(verifyAuditChain(entries.slice(3), { seq: 3, hash: GENESIS_HASH }).ok, false);
  });

  it('reports hash_mismatch at the entry whose field was edited', () => {
    for (const [field, mutate] of Object.entries(FIELD_MUTATIONS)) {
      for (let i = 0; i < 4; i++) {
        const entries = chain(4);
        const mutated = mutate(entries[i] as AuditEntry);
        entries[i] = mutated;
        assert.deepEqual(
          verifyAuditChain(entries),
          { ok: false, seq: mutated.seq, reason: 'hash_mismatch' },
          `${field} of entry ${i + 1}`,
        );
      }
    }
  });

  it('detects a deleted middle entry', () => {
    const entries = chain(5);
    entries.splice(2, 1);
    assert.deepEqual(verifyAuditChain(entries), { ok: false, seq: 4, reason: 'sequence_gap' });
  });

  it('detects a deleted first entry', () => {
    assert.deepEqual(verifyAuditChain(chain(3).slice(1)), { ok: false, seq: 2, reason: 'sequence_gap' });
  });

  it('detects reordering', () => {
    const entries = chain(5);
    const [a, b] = [entries[1] as AuditEntry, entries[2] as AuditEntry];
    entries[1] = b;
    entries[2] = a;
    assert.deepEqual(verifyAuditChain(entries), { ok: false, seq: 3, reason: 'sequence_gap' });
  });

  it('detects a re-sequenced, re-hashed entry spliced in from another chain (broken_link)', () => {
    const entries = chain(3);
    const foreign = buildChain([event(7), event(8)])[1] as AuditEntry;
    const spliced = { ...foreign, seq: 2 };
    entries[1] = { ...spliced, hash: computeAuditHash(spliced) };
    assert.deepEqual(verifyAuditChain(entries), { ok: false, seq: 2, reason: 'broken_link' });
  });

  it('detects any single-field mutation of any entry (property)', () => {
    const fields = Object.keys(FIELD_MUTATIONS) as (keyof AuditEntry)[]; // keys of a Record<keyof AuditEntry, …>
    const jsonValue = fc.jsonValue();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        fc.constantFrom(...fields),
        fc.oneof(fc.string(), fc.integer(), jsonValue),
        (length, rawIndex, field, replacement) => {
          const entries = chain(length);
          const index = rawIndex % length;
          const original = entries[index] as AuditEntry;
          let mutated: AuditEntry;
          if (field === 'metadata') {
            mutated = { ...original, metadata: { ...original.metadata, injected: replacement } };
          } else if (field === 'occurredAt') {
            mutated = {
              ...original,
              occurredAt: new Date(original.occurredAt.getTime() + 1 + (rawIndex % 1000)),
            };
          } else {
            // Arbitrary replacement values, typed or not: the verifier must catch them all.
            mutated = { ...original, [field]: replacement } as AuditEntry;
          }
          fc.pre(JSON.stringify(mutated[field]) !== JSON.stringify(original[field]));
          entries[index] = mutated;
          const result = verifyAuditChain(entries);
          assert.equal(result.ok, false);
          assert.ok(!result.ok && result.reason === 'hash_mismatch' && result.seq === mutated.seq);
        },
      ),
      { numRuns: 300 },
    );
  });
});
