import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator, defaultSeed, deriveScopedId, DEMO, type SeedData } from '../src/index.ts';
import { messagingOf, startHarness, type Harness } from './helpers.ts';

const PAGE_A = DEMO.pageId;
const PAGE_B = '500000000000002';
const IG_A = DEMO.instagramId;
const IG_B = '17841400000000002';

/** The default seed plus a second Page (with its own Instagram account) in the same business. */
const seed: SeedData = {
  ...defaultSeed,
  pages: [
    ...defaultSeed.pages,
    { id: PAGE_B, businessId: DEMO.businessId, name: 'Demo Bakery Lisbon', subscribedAppIds: [DEMO.appId] },
  ],
  instagramAccounts: [
    ...defaultSeed.instagramAccounts,
    { id: IG_B, pageId: PAGE_B, username: 'demo.bakery.lisbon', name: 'Demo Bakery Lisbon' },
  ],
};

let h: Harness;
before(async () => {
  h = await startHarness({ seed });
});
after(async () => {
  await h.close();
});

test('one customer has a different PSID per page and IGSID per Instagram account, everywhere', async () => {
  const a = await h.client.scopedId('ana', PAGE_A);
  const b = await h.client.scopedId('ana', PAGE_B);
  assert.equal(a.kind, 'psid');
  assert.notEqual(a.scopedId, b.scopedId);
  assert.equal(a.scopedId, deriveScopedId('psid', PAGE_A, 'ana'), 'predictable from both ids');
  assert.equal(b.scopedId, deriveScopedId('psid', PAGE_B, 'ana'));
  const igA = await h.client.scopedId('ana', IG_A);
  const igB = await h.client.scopedId('ana', IG_B);
  assert.equal(igA.kind, 'igsid');
  assert.notEqual(igA.scopedId, igB.scopedId);
  assert.notEqual(igA.scopedId, a.scopedId);
  const customer = (await h.client.customers()).find((c) => c.id === 'ana');
  assert.deepEqual(customer?.scopedIds, {
    [PAGE_A]: a.scopedId,
    [PAGE_B]: b.scopedId,
    [IG_A]: igA.scopedId,
    [IG_B]: igB.scopedId,
  });

  // Inbound webhooks: sender.id is the id scoped to the page (or IG account) messaged.
  for (const to of [PAGE_A, PAGE_B, IG_A, IG_B])
    await h.client.customerSends('ana', to, { type: 'text', text: `hi ${to}` });
  await h.receiver.waitFor(
    (r) => messagingOf(r).filter((e) => e.message?.text?.startsWith('hi ')).length === 4,
  );
  const inbound = messagingOf(h.receiver.received).filter((e) => e.message?.text?.startsWith('hi '));
  const senderFor = (to: string) => inbound.find((e) => e.recipient.id === to)?.sender.id;
  assert.equal(senderFor(PAGE_A), a.scopedId);
  assert.equal(senderFor(PAGE_B), b.scopedId);
  assert.equal(senderFor(IG_A), igA.scopedId);
  assert.equal(senderFor(IG_B), igB.scopedId);

  // Send API: page B does not know page A's PSID (Meta: 100 / 2018001 "No matching user found").
  const send = (page: string, recipient: string) =>
    h.graph('POST', `/${page}/messages`, {
      recipient: { id: recipient },
      messaging_type: 'RESPONSE',
      message: { text: 'Thanks!' },
    });
  const wrong = await send(PAGE_B, a.scopedId);
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.error.code, 100);
  assert.equal(wrong.json.error.error_subcode, 2018001);
  const wrongIg = await send(IG_B, igA.scopedId);
  assert.equal(wrongIg.json.error.error_subcode, 2018001);
  const ok = await send(PAGE_B, b.scopedId);
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.equal(ok.json.recipient_id, b.scopedId);

  // The echo and the delivery of that send carry page B's id for Ana.
  await h.receiver.waitFor((r) => messagingOf(r).some((e) => e.delivery?.mids?.includes(ok.json.message_id)));
  const events = messagingOf(h.receiver.received);
  const echo = events.find((e) => e.message?.mid === ok.json.message_id);
  assert.equal(echo.message.is_echo, true);
  assert.equal(echo.sender.id, PAGE_B);
  assert.equal(echo.recipient.id, b.scopedId);
  assert.equal(events.find((e) => e.delivery?.mids?.includes(ok.json.message_id)).sender.id, b.scopedId);
});

test('the control API resolves a scoped id only for its own account', async () => {
  const a = await h.client.scopedId('ben', PAGE_A);
  assert.equal((await h.client.userByScopedId(PAGE_A, a.scopedId)).customerId, 'ben');
  await assert.rejects(h.client.userByScopedId(PAGE_B, a.scopedId), /404/);
  await assert.rejects(h.client.scopedId('ben', DEMO.phoneNumberId), /404/);
  // New customers get ids on every account too, and the reverse index learns them.
  const c = await h.client.createCustomer({ name: 'Maria', waId: null });
  const idB = c.scopedIds[PAGE_B] ?? '';
  assert.equal(idB, deriveScopedId('psid', PAGE_B, c.id));
  assert.equal((await h.client.userByScopedId(PAGE_B, idB)).customerId, c.id);
  const old = await fetch(`${h.sim.url}/_sim/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'X', psid: '123' }),
  });
  assert.equal(old.status, 400, 'psid/igsid cannot be set: they are per account');
});

test('scoped ids are stable across restarts of the same seed', async () => {
  const again = await createSimulator({ port: 0, timing: 'fast', seed });
  try {
    const first = (await h.client.customers()).find((c) => c.id === 'chen');
    const second = again.control.state().customers.find((c) => c.id === 'chen');
    assert.deepEqual(second?.scopedIds, first?.scopedIds);
  } finally {
    await again.close();
  }
});
