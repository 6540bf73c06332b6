import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { wrappedKeyMasterId } from '@parley/core';
import { dataKeyRepository, queryRows, webhookEventBody } from '@parley/db';
import { DEMO } from '@parley/simulator';
import { DeliveryBatcher } from '../src/webhooks/delivery-batcher.ts';
import { objectOf } from '../src/webhooks/webhook-routes.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

describe('DeliveryBatcher', () => {
  const slowStore =
    (calls: number[][], ms = 20) =>
    async (items: number[]) => {
      calls.push(items);
      await new Promise((r) => setTimeout(r, ms));
      return items.map((i) => i * 10);
    };

  test('a lone item goes alone; items arriving meanwhile go together, each answered with its own result', async () => {
    const calls: number[][] = [];
    const batcher = new DeliveryBatcher(slowStore(calls), () => 1, {
      maxConcurrent: 1,
      maxItems: 100,
      maxBytes: 1000,
      lingerMs: 0,
    });
    assert.equal(await batcher.submit(1), 10);
    assert.deepEqual(calls, [[1]]);
    const first = batcher.submit(2);
    await new Promise((r) => setImmediate(r)); // the first batch is now being stored
    const rest = [3, 4, 5].map((i) => batcher.submit(i));
    assert.deepEqual(await Promise.all([first, ...rest]), [20, 30, 40, 50]);
    assert.deepEqual(calls, [[1], [2], [3, 4, 5]]);
  });

  test('batches respect the item and byte limits (a larger item still goes, alone)', async () => {
    const calls: number[][] = [];
    const batcher = new DeliveryBatcher(slowStore(calls, 1), (i) => i, {
      maxConcurrent: 1,
      maxItems: 3,
      maxBytes: 10,
      lingerMs: 0,
    });
    await Promise.all([1, 1, 1, 1, 4, 4, 4, 50, 1].map((i) => batcher.submit(i)));
    assert.deepEqual(calls, [[1, 1, 1], [1, 4, 4], [4], [50], [1]]);
  });

  test('a batch that is not full lingers for company; a full one goes at once', async () => {
    const calls: number[][] = [];
    const batcher = new DeliveryBatcher(slowStore(calls, 1), () => 1, {
      maxConcurrent: 1,
      maxItems: 3,
      maxBytes: 1000,
      lingerMs: 40,
    });
    const first = batcher.submit(1);
    await new Promise((r) => setTimeout(r, 15));
    assert.deepEqual(calls, [], 'still lingering');
    const second = batcher.submit(2);
    assert.deepEqual(await Promise.all([first, second]), [10, 20]);
    assert.deepEqual(calls, [[1, 2]], 'the second joined the first, which did not wait longer');
    const started = performance.now();
    await Promise.all([3, 4, 5].map((i) => batcher.submit(i)));
    assert.ok(performance.now() - started < 35, 'a full batch does not linger');
    assert.deepEqual(calls.at(-1), [3, 4, 5]);
  });

  test('a failed batch rejects every one of its items, and only those', async () => {
    const batcher = new DeliveryBatcher(
      async (items: number[]) => {
        await new Promise((r) => setTimeout(r, 5));
        if (items.includes(13)) throw new Error('boom');
        return items;
      },
      () => 1,
      { maxConcurrent: 1, maxItems: 100, maxBytes: 1000, lingerMs: 0 },
    );
    const lone = batcher.submit(1);
    await new Promise((r) => setImmediate(r));
    const together = [12, 13, 14].map((i) => batcher.submit(i));
    assert.equal(await lone, 1);
    const settled = await Promise.allSettled(together);
    assert.deepEqual(
      settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : 'stored')),
      ['boom', 'boom', 'boom'],
    );
    assert.equal(await batcher.submit(2), 2);
  });
});

test("objectOf: read from the body's start, else parsed, else null", () => {
  assert.equal(
    objectOf(Buffer.from('{"object":"whatsapp_business_account","entry":[]}')),
    'whatsapp_business_account',
  );
  assert.equal(objectOf(Buffer.from(' \n{ "object" : "page", "entry": [')), 'page', 'truncated, still named');
  assert.equal(objectOf(Buffer.from('{"entry":[],"object":"instagram"}')), 'instagram', 'not first: parsed');
  assert.equal(objectOf(Buffer.from('{"object":"Page\\u0021"}')), 'Page!', 'escapes: parsed');
  assert.equal(objectOf(Buffer.from('not json')), null);
  assert.equal(objectOf(Buffer.from('{"object":42}')), null);
});

describe('POST /webhooks/meta under concurrency', () => {
  let h: TestHarness;
  before(async () => {
    h = await createTestApp();
  });
  after(async () => h.close());

  const sign = (body: string, secret: string = DEMO.appSecret) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const post = (body: string, signature: string) =>
    h.app.inject({
      method: 'POST',
      url: '/webhooks/meta',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      payload: body,
    });
  const stored = () =>
    h.ctx.db.asOwner((tx) =>
      queryRows<{ id: string; object: string | null }>(tx, sql`select id, object from webhook_events`),
    );

  test('concurrent deliveries: each stored once (encrypted), duplicates absorbed, forgeries refused', async () => {
    const bodies = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: String(i), changes: [] }] }),
    );
    const duplicate = JSON.stringify({ object: 'page', entry: [{ id: 'dup', messaging: [] }] });
    const forged = JSON.stringify({ object: 'page', entry: [{ id: 'forged' }] });
    const responses = await Promise.all([
      ...bodies.map((b) => post(b, sign(b))),
      ...Array.from({ length: 10 }, () => post(duplicate, sign(duplicate))),
      post(forged, sign(forged, 'not-the-secret')),
      post('{"object": "page", "entry": [', sign('{"object": "page", "entry": [')),
    ]);
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      [...Array(50).fill(200), 401, 200],
    );
    // Every answer (200, 401, duplicate) told the workers it was gone: soon they need not give way.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.ctx.work.receivingNow(), false, 'the route left the workers waiting');
    const rows = await stored();
    assert.equal(rows.length, 42);
    // The duplicate once, and the truncated delivery: kept, its `object` read from its first bytes.
    assert.equal(rows.filter((r) => r.object === 'page').length, 2, 'an unparseable delivery is kept');
    const sent = new Set([...bodies, duplicate, '{"object": "page", "entry": [']);
    for (const row of rows) {
      const body = await h.ctx.db.run({ system: true }, (tx) =>
        webhookEventBody(
          tx,
          h.ctx.keyring.fieldCipher(dataKeyRepository(tx, wrappedKeyMasterId), null),
          row.id,
        ),
      );
      assert.ok(body && sent.has(body.toString('utf8')));
    }
    const raw = await h.ctx.db.asOwner((tx) =>
      queryRows<{ body: Uint8Array }>(tx, sql`select body from webhook_events`),
    );
    for (const r of raw) {
      assert.ok(!Buffer.from(r.body).includes('"object"'), 'bodies are stored encrypted');
    }
  });
});
