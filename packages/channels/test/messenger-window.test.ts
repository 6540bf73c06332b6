import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, deriveScopedId } from '@parley/simulator';
import { failureOfResult, sentId, startHarness, type Harness } from './helpers.ts';

// Its own simulator: these tests move the page and Instagram clocks by days.
let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const HOUR = 3600_000;
const DAY = 24 * HOUR;

test('Messenger: outside 24 h → 10/2018278 window_closed; HUMAN_AGENT allowed at 2 days, refused at 8 days', async () => {
  const c = await h.client.createCustomer({ name: 'Wen' });
  await h.client.customerSends(c.id, DEMO.pageId, { type: 'text', text: 'is my cake ready?' });
  const psid = deriveScopedId('psid', DEMO.pageId, c.id);
  const messenger = h.providers.messenger;
  const account = h.accounts.messenger;
  const text = { type: 'text', text: 'Yes, come by!' } as const;
  assert.equal(messenger.capabilities.humanAgentWindowMs, 7 * DAY);

  sentId(await messenger.send(account, psid, text));
  await h.client.advanceClock(2 * DAY, DEMO.pageId);

  const outside = failureOfResult(await messenger.send(account, psid, text));
  assert.equal(outside.code, 10);
  assert.equal(outside.subcode, 2018278);
  assert.equal(outside.class, 'window_closed');

  const tagged = sentId(await messenger.send(account, psid, text, { humanAgentTag: true }));
  const thread = await h.client.thread(c.id, DEMO.pageId);
  assert.ok(thread.messages.some((m) => m.id === tagged));

  await h.client.advanceClock(6 * DAY, DEMO.pageId);
  const late = failureOfResult(await messenger.send(account, psid, text, { humanAgentTag: true }));
  assert.equal(late.code, 10);
  assert.equal(late.class, 'window_closed');
});

test('Instagram: outside 24 h → 10/2534022 window_closed; HUMAN_AGENT allowed at 2 days', async () => {
  const c = await h.client.createCustomer({ name: 'Iris' });
  await h.client.customerSends(c.id, DEMO.instagramId, { type: 'text', text: 'hi' });
  const igsid = deriveScopedId('igsid', DEMO.instagramId, c.id);
  const instagram = h.providers.instagram;
  await h.client.advanceClock(2 * DAY, DEMO.instagramId);
  const outside = failureOfResult(
    await instagram.send(h.accounts.instagram, igsid, { type: 'text', text: 'sorry for the delay' }),
  );
  assert.equal(outside.subcode, 2534022);
  assert.equal(outside.class, 'window_closed');
  sentId(
    await instagram.send(
      h.accounts.instagram,
      igsid,
      { type: 'text', text: 'sorry for the delay' },
      { humanAgentTag: true },
    ),
  );
});
