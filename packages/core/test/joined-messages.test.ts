import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { joinedMessages, type JoinedMessages } from '@parley/core';

/** The conversation fields recordMessages changes, applied as the store's SQL does. */
interface Conv {
  lastMessageAt: number;
  lastInboundAt: number | null;
  preview: string | null;
  unread: number;
  status: 'open' | 'resolved';
}

function apply(c: Conv, j: JoinedMessages): Conv {
  return {
    preview: j.preview && j.preview.at.getTime() >= c.lastMessageAt ? j.preview.text : c.preview,
    lastMessageAt: Math.max(c.lastMessageAt, j.at.getTime()),
    lastInboundAt:
      j.inboundAt === null
        ? c.lastInboundAt
        : Math.max(c.lastInboundAt ?? Number.NEGATIVE_INFINITY, j.inboundAt.getTime()),
    unread: c.unread + j.inbound,
    status: j.inbound > 0 ? 'open' : c.status,
  };
}

const message = fc.record({
  at: fc.integer({ min: 0, max: 50 }).map((s) => new Date(s * 1000)),
  inbound: fc.boolean(),
  preview: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: null }),
});

describe('joinedMessages', () => {
  test('applying the sum once = applying the messages one by one (in timestamp order)', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 8 }),
        fc.record({
          lastMessageAt: fc.integer({ min: 0, max: 50 }).map((s) => s * 1000),
          lastInboundAt: fc.option(
            fc.integer({ min: 0, max: 50 }).map((s) => s * 1000),
            { nil: null },
          ),
          preview: fc.option(fc.constant('before'), { nil: null }),
          unread: fc.nat(5),
          status: fc.constantFrom('open' as const, 'resolved' as const),
        }),
        (messages, start) => {
          const ordered = [...messages].sort((a, b) => a.at.getTime() - b.at.getTime());
          const oneByOne = ordered.reduce<Conv>((c, m) => apply(c, joinedMessages([m])), start);
          assert.deepEqual(apply(start, joinedMessages(ordered)), oneByOne);
        },
      ),
    );
  });

  test('a message without a preview keeps the newest preview of the others', () => {
    const j = joinedMessages([
      { at: new Date(1000), inbound: true, preview: 'photo' },
      { at: new Date(2000), inbound: false, preview: null },
    ]);
    assert.deepEqual(j, {
      at: new Date(2000),
      preview: { text: 'photo', at: new Date(1000) },
      inbound: 1,
      inboundAt: new Date(1000),
    });
  });
});
