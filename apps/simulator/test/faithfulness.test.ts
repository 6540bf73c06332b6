/**
 * A public client library (whatsapp-api-js) pointed at the simulator: it sends text, template
 * and interactive messages, gets Meta's error codes where the rules say so, and its own
 * signature check and parser accept the simulator's webhooks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WhatsAppAPI } from 'whatsapp-api-js';
import {
  ActionButtons,
  ActionList,
  Body,
  BodyComponent,
  BodyParameter,
  Button,
  Currency,
  Interactive,
  Language,
  ListSection,
  Row,
  Template,
  Text,
  URLComponent,
} from 'whatsapp-api-js/messages';
import { DEMO } from '../src/index.ts';
import { ANA_WA, PHONE, startHarness, type Harness } from './helpers.ts';

let h: Harness;
let api: WhatsAppAPI;
before(async () => {
  h = await startHarness();
  const simUrl = new URL(h.sim.url);
  // The library hard-codes https://graph.facebook.com; its fetch ponyfill changes only the host.
  const redirectFetch: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    url.protocol = simUrl.protocol;
    url.host = simUrl.host;
    return fetch(url, init);
  };
  api = new WhatsAppAPI({
    token: DEMO.accessToken,
    appSecret: DEMO.appSecret,
    webhookVerifyToken: DEMO.verifyToken,
    v: 'v23.0',
    ponyfill: { fetch: redirectFetch },
  });
});
after(async () => {
  await h.close();
});

test('whatsapp-api-js sends text, template and interactive messages', async () => {
  await h.client.customerSends('ana', PHONE, { type: 'text', text: 'Hi there' });
  const textResponse: any = await api.sendMessage(PHONE, ANA_WA, new Text('Hello from whatsapp-api-js'));
  assert.match(textResponse.messages[0].id, /^wamid\./);
  assert.equal(textResponse.contacts[0].wa_id, ANA_WA);

  const template: any = await api.sendMessage(
    PHONE,
    ANA_WA,
    new Template(
      'order_update',
      new Language('en_US'),
      new BodyComponent(new BodyParameter('Ana'), new BodyParameter(new Currency(10500, 'USD', '$10.50'))),
      new URLComponent('A-991'),
    ),
  );
  assert.match(template.messages?.[0]?.id ?? '', /^wamid\./, JSON.stringify(template));

  const buttons: any = await api.sendMessage(
    PHONE,
    ANA_WA,
    new Interactive(
      new ActionButtons(new Button('yes', 'Yes'), new Button('no', 'No')),
      new Body('Confirm your slot?'),
    ),
  );
  assert.match(buttons.messages[0].id, /^wamid\./);

  const list: any = await api.sendMessage(
    PHONE,
    ANA_WA,
    new Interactive(
      new ActionList('Branches', new ListSection('North', new Row('br_1', 'Downtown', 'Open 9-18'))),
      new Body('Pick a branch'),
    ),
  );
  assert.match(list.messages[0].id, /^wamid\./);

  const read: any = await api.markAsRead(
    PHONE,
    (await h.client.thread('ana', PHONE)).messages[0]!.id,
    'text',
  );
  assert.deepEqual(read, { success: true });
});

test('whatsapp-api-js gets Meta error codes from the simulator', async () => {
  const missing: any = await api.sendMessage(
    PHONE,
    ANA_WA,
    new Template('does_not_exist', new Language('en_US')),
  );
  assert.equal(missing.error.code, 132001);
  const count: any = await api.sendMessage(
    PHONE,
    ANA_WA,
    new Template('order_update', new Language('en_US'), new BodyComponent(new BodyParameter('Ana'))),
  );
  assert.equal(count.error.code, 132000);
  await h.client.setRules({ pairBurst: 1 }, PHONE);
  const c = await h.client.createCustomer();
  await api.sendMessage(PHONE, c.waId!, new Template('hello_world', new Language('en_US')));
  const pair: any = await api.sendMessage(PHONE, c.waId!, new Template('hello_world', new Language('en_US')));
  assert.equal(pair.error.code, 131056);
  await h.client.resetRules(PHONE);
  const bad = new WhatsAppAPI({
    token: 'expired',
    appSecret: DEMO.appSecret,
    v: 'v23.0',
    ponyfill: { fetch: (i, init) => fetch(String(i).replace('https://graph.facebook.com', h.sim.url), init) },
  });
  const auth: any = await bad.sendMessage(PHONE, ANA_WA, new Text('x'));
  assert.equal(auth.error.code, 190);
});

test('whatsapp-api-js verifies and parses the simulator’s webhooks (messages and statuses, incl. 131047)', async () => {
  const seenMessages: any[] = [];
  const seenStatuses: any[] = [];
  api.on.message = (args: any) => {
    seenMessages.push(args);
  };
  api.on.status = (args: any) => {
    seenStatuses.push(args);
  };
  // Handshake through the library's own GET handler.
  const challenge = api.get({
    'hub.mode': 'subscribe',
    'hub.verify_token': DEMO.verifyToken,
    'hub.challenge': '12345',
  });
  assert.equal(challenge, '12345');

  const start = h.receiver.posts().length;
  await h.client.customerSends('chen', PHONE, { type: 'text', text: 'Grüße aus Zürich 🇨🇭 https://x.y/z' });
  await h.client.advanceClock(25 * 3600_000, PHONE);
  const late: any = await api.sendMessage(PHONE, '6591230003', new Text('too late'));
  await h.receiver.waitFor((r) => r.filter((x) => x.method === 'POST').length >= start + 2);
  assert.ok(await h.client.waitIdle());
  for (const post of h.receiver.posts().slice(start)) {
    const signature = String(post.headers['x-hub-signature-256']);
    assert.equal(await api.verifyRequestSignature(post.body, signature), true);
    await api.post(JSON.parse(post.body), post.body, signature);
  }
  const message = seenMessages.find((m) => m.message.type === 'text');
  assert.equal(message.message.text.body, 'Grüße aus Zürich 🇨🇭 https://x.y/z');
  assert.equal(message.phoneID, PHONE);
  assert.equal(message.from, '6591230003');
  assert.equal(message.name, 'Chen Wei');
  const failed = seenStatuses.find((s) => s.id === late.messages[0].id);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error.code, 131047);
  // A tampered body fails the library's check.
  const post = h.receiver.posts().at(-1)!;
  assert.equal(
    await api.verifyRequestSignature(
      post.body.replace('whatsapp', 'whatsapq'),
      String(post.headers['x-hub-signature-256']),
    ),
    false,
  );
});
