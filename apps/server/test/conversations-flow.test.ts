/**
 * Conversations end to end, through HTTP and the simulator: a customer writes on WhatsApp,
 * Messenger or Instagram; the signed webhook is stored and processed; the agent's stream shows
 * the message; the agent replies; the simulated customer receives it; statuses come back.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { DEMO } from '@parley/simulator';
import { queryRows } from '@parley/db';
import { addApiKey, addMember, signUpOwner } from './helpers/factories.ts';
import type { HttpClient } from './helpers/http-client.ts';
import { connectDemoChannels, createLiveApp, eventually, type LiveHarness } from './helpers/live-app.ts';

let h: LiveHarness;
let owner: HttpClient & { email: string };
let channels: Record<'whatsapp' | 'messenger' | 'instagram', string>;

before(async () => {
  h = await createLiveApp();
  owner = await signUpOwner(h.app);
  channels = await connectDemoChannels(owner);
});
after(async () => h.close());

async function newCustomer(name = 'Customer') {
  return h.simClient.createCustomer({ name });
}

/** The conversation of a customer on a channel, once their message `text` has been processed. */
async function conversationOf(channelId: string, text: string, client: HttpClient = owner) {
  return eventually(async () => {
    const res = await client.get(`/api/v1/conversations?channelId=${channelId}&limit=200`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    for (const c of res.body.items) {
      if (c.preview === text) return c;
      // WhatsApp timestamps have second precision: the preview may be any message of that second.
      if ((await timeline(c.id, client)).some((m) => m.content.text === text)) return c;
    }
    return null;
  }, `a conversation with "${text}"`);
}

async function timeline(conversationId: string, client: HttpClient = owner) {
  const res = await client.get(`/api/v1/conversations/${conversationId}/messages?limit=200`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items as any[];
}

async function messageStatus(id: string, want: string) {
  return eventually(async () => {
    const res = await owner.get(`/api/v1/messages/${id}`);
    return res.body.status === want ? res.body : null;
  }, `message ${id} to be ${want}`);
}

/** Reads the workspace's Server-Sent Events over real HTTP until `stop` says so. */
async function readStream(client: HttpClient, stop: (events: any[]) => boolean, after?: number) {
  const ctrl = new AbortController();
  const res = await fetch(`${h.url}/api/v1/events${after !== undefined ? `?after=${after}` : ''}`, {
    headers: { cookie: `parley_session=${client.cookie}`, 'x-workspace-id': client.workspaceId ?? '' },
    signal: ctrl.signal,
  });
  assert.equal(res.status, 200);
  const events: any[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const timer = setTimeout(() => ctrl.abort(), 15_000);
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data) events.push(JSON.parse(data));
      }
      if (stop(events)) break;
    }
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  return events;
}

describe('channel connections', () => {
  test('connecting checks the token with the Graph API; a number belongs to one workspace', async () => {
    const list = await owner.get('/api/v1/channels');
    assert.equal(list.status, 200);
    const wa = list.body.items.find((c: { kind: string }) => c.kind === 'whatsapp');
    assert.equal(wa.status, 'active');
    assert.equal(wa.health.tokenValid, true);
    assert.equal(wa.health.qualityRating, 'GREEN');
    assert.ok(wa.display, 'display phone number from Meta');
    assert.ok(!JSON.stringify(list.body).includes('sim-access-token'), 'tokens never leave the server');

    const other = await signUpOwner(h.app);
    const badToken = await other.post('/api/v1/channels', {
      kind: 'whatsapp',
      name: 'x',
      accountId: DEMO.phoneNumberId,
      wabaId: DEMO.wabaId,
      appId: DEMO.appId,
      appSecret: DEMO.appSecret,
      verifyToken: DEMO.verifyToken,
      accessToken: 'not-a-valid-token',
    });
    assert.equal(badToken.status, 400);
    assert.equal(badToken.body.error.code, 'channel_credentials_invalid');
    const taken = await other.post('/api/v1/channels', {
      kind: 'whatsapp',
      name: 'x',
      accountId: DEMO.phoneNumberId,
      wabaId: DEMO.wabaId,
      appId: DEMO.appId,
      appSecret: DEMO.appSecret,
      verifyToken: DEMO.verifyToken,
      accessToken: DEMO.accessToken,
    });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, 'channel_taken');
    const wrongSecret = await other.post('/api/v1/channels', {
      kind: 'messenger',
      name: 'x',
      accountId: DEMO.pageId,
      appId: DEMO.appId,
      appSecret: 'another-secret-entirely',
      verifyToken: DEMO.verifyToken,
      accessToken: DEMO.pageAccessToken,
    });
    assert.equal(wrongSecret.status, 409);
    assert.equal(wrongSecret.body.error.code, 'app_secret_mismatch');
  });

  test('an agent may read channels but not connect them; credentials are encrypted at rest', async () => {
    const agent = await addMember(owner, 'agent');
    assert.equal((await agent.get('/api/v1/channels')).status, 200);
    const res = await agent.post('/api/v1/channels', {
      kind: 'instagram',
      name: 'x',
      accountId: '123',
      appId: DEMO.appId,
      appSecret: DEMO.appSecret,
      verifyToken: DEMO.verifyToken,
      accessToken: DEMO.pageAccessToken,
    });
    assert.equal(res.status, 403);
    const dump = await h.ctx.db.asOwner((tx) =>
      queryRows<{ c: string }>(tx, sql`select encode(credentials, 'escape') as c from channels`),
    );
    assert.ok(dump.length >= 3);
    for (const row of dump) assert.ok(!row.c.includes('sim-'), 'a token is stored in the clear');
    const apps = await h.ctx.db.asOwner((tx) =>
      queryRows<{ s: string }>(tx, sql`select encode(secret, 'escape') as s from meta_apps`),
    );
    for (const row of apps) assert.ok(!row.s.includes(DEMO.appSecret));
  });
});

describe('a customer writes, the agent sees it and answers', () => {
  test('WhatsApp: stream → reply → the customer receives it → statuses reach read', async () => {
    const ana = await newCustomer('Ana Stream');
    const seq = (await owner.get('/api/v1/events?once=1')).status;
    assert.equal(seq, 200);
    const streamed = readStream(owner, (events) => events.some((e) => e.type === 'message.created'));
    await new Promise((r) => setTimeout(r, 200));
    await h.simClient.customerSends(ana.id, DEMO.phoneNumberId, {
      type: 'text',
      text: 'Do you deliver on Sundays?',
    });
    const events = await streamed;
    const created = events.find((e) => e.type === 'message.created');
    assert.ok(created, 'the agent’s stream showed the new message');
    assert.equal(
      created.data.message.content.text,
      'Do you deliver on Sundays?',
      'the event carries the message',
    );

    const conversation = await conversationOf(channels.whatsapp, 'Do you deliver on Sundays?');
    assert.equal(conversation.contact.name, 'Ana Stream');
    assert.equal(conversation.contact.phone, `+${ana.waId}`);
    const ofContact = await owner.get(`/api/v1/conversations?contactId=${conversation.contactId}`);
    assert.deepEqual(
      ofContact.body.items.map((c: { id: string }) => c.id),
      [conversation.id],
    );
    assert.equal(conversation.unreadCount, 1);
    assert.equal(conversation.window.open, true);
    assert.equal(created.conversationId, conversation.id);

    const reply = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
      content: { type: 'text', text: 'Yes, from 9 to 1!' },
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    assert.equal(reply.body.status, 'queued');
    await messageStatus(reply.body.id, 'read');
    const thread = await h.simClient.thread(ana.id, DEMO.phoneNumberId);
    const received = thread.messages.filter((m) => m.direction === 'out');
    assert.equal(received.length, 1);
    assert.deepEqual(received[0]?.view, { kind: 'text', text: 'Yes, from 9 to 1!' });
    assert.equal(received[0]?.bizOpaque, reply.body.id, 'our id travels in biz_opaque_callback_data');

    const read = await owner.post(`/api/v1/conversations/${conversation.id}/read`);
    assert.equal(read.status, 200);
    assert.equal(read.body.unreadCount, 0);
    await eventually(async () => {
      const t = await h.simClient.thread(ana.id, DEMO.phoneNumberId);
      return t.messages.find((m) => m.direction === 'in')?.status === 'read';
    }, 'the read receipt to reach the customer');
  });

  test('every inbound type is stored; media is downloaded, encrypted, and served safely', async () => {
    const ben = await newCustomer('Ben Types');
    const send = (m: Parameters<typeof h.simClient.customerSends>[2]) =>
      h.simClient.customerSends(ben.id, DEMO.phoneNumberId, m);
    await send({ type: 'text', text: 'first' });
    await send({ type: 'image', text: 'my cake' });
    await send({ type: 'location', location: { latitude: 41.39, longitude: 2.17, name: 'Shop' } });
    await send({ type: 'reaction', emoji: '👍' } as never).catch(() => undefined);
    await send({ type: 'unsupported' });
    await send({ type: 'text', text: 'last one' });
    const conversation = await conversationOf(channels.whatsapp, 'last one');
    // The simulator's deliveries may arrive in any order: "last one" can be in before the others.
    const items = await eventually(async () => {
      const t = await timeline(conversation.id);
      const stored = t.find((m) => m.type === 'image')?.media?.status === 'stored';
      return stored && ['location', 'unsupported'].every((type) => t.some((m) => m.type === type)) ? t : null;
    }, 'every message, and the image downloaded');
    const types = items.map((m) => m.type).reverse();
    assert.ok(
      types.includes('image') && types.includes('location') && types.includes('unsupported'),
      types.join(),
    );
    const image = items.find((m) => m.type === 'image');
    assert.equal(image.content.media.caption, 'my cake');
    const media = await owner.get(image.media.url);
    assert.equal(media.status, 200);
    assert.match(String(media.headers['content-type']), /^image\//);
    assert.equal(media.headers['x-content-type-options'], 'nosniff');
    assert.ok(media.raw.rawPayload.length > 50);
    // Stored encrypted on disk: the file is not the image.
    const onDisk = await h.ctx.storage.get(`${owner.workspaceId}/${image.media.id}`);
    assert.ok(!onDisk.includes(media.raw.rawPayload.subarray(0, 32)), 'media bytes are stored in the clear');
  });

  test('reply outside the 24-hour window is refused with a clear error; a template goes through', async () => {
    const cleo = await newCustomer('Cleo Window');
    await h.simClient.customerSends(cleo.id, DEMO.phoneNumberId, {
      type: 'text',
      text: 'hello from yesterday',
    });
    const conversation = await conversationOf(channels.whatsapp, 'hello from yesterday');
    h.clock.advance(25 * 3600_000);
    await h.simClient.advanceClock(25 * 3600_000, DEMO.phoneNumberId);
    try {
      const view = await owner.get(`/api/v1/conversations/${conversation.id}`);
      assert.equal(view.body.window.open, false);
      const refused = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
        content: { type: 'text', text: 'Are you still there?' },
      });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'window_closed');
      assert.match(refused.body.error.message, /template/);
      assert.equal(refused.body.error.details.templateRequired, true);
      const template = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
        content: { type: 'template', template: { name: 'hello_world', language: 'en_US' } },
      });
      assert.equal(template.status, 201, JSON.stringify(template.body));
      await messageStatus(template.body.id, 'read');
      const thread = await h.simClient.thread(cleo.id, DEMO.phoneNumberId);
      assert.equal(thread.messages.filter((m) => m.direction === 'out').length, 1);
    } finally {
      h.clock.advance(-25 * 3600_000);
      await h.simClient.advanceClock(-25 * 3600_000, DEMO.phoneNumberId);
    }
  });

  test('Messenger: a person may reply with HUMAN_AGENT up to 7 days; an integration may not', async () => {
    const dee = await newCustomer('Dee Messenger');
    await h.simClient.customerSends(dee.id, DEMO.pageId, { type: 'text', text: 'question on messenger' });
    const conversation = await conversationOf(channels.messenger, 'question on messenger');
    const key = await addApiKey(owner, 'agent');
    const day = 24 * 3600_000;
    h.clock.advance(2 * day);
    await h.simClient.advanceClock(2 * day, DEMO.pageId);
    try {
      const byBot = await key.post(`/api/v1/conversations/${conversation.id}/messages`, {
        content: { type: 'text', text: 'automated follow-up' },
      });
      assert.equal(byBot.status, 409);
      assert.equal(byBot.body.error.code, 'window_closed');
      const byHuman = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
        content: { type: 'text', text: 'Sorry for the wait — here is your answer' },
      });
      assert.equal(byHuman.status, 201, JSON.stringify(byHuman.body));
      assert.equal(byHuman.body.humanAgent, true);
      const sent = await eventually(async () => {
        const r = await owner.get(`/api/v1/messages/${byHuman.body.id}`);
        return ['sent', 'delivered', 'read'].includes(r.body.status) ? r.body : null;
      }, 'the human-agent reply to be accepted');
      assert.ok(sent);
      const thread = await h.simClient.thread(dee.id, DEMO.pageId);
      assert.equal(thread.messages.filter((m) => m.direction === 'out').length, 1);
      // Messenger reports reads as a watermark: every reply sent before it is read.
      await h.simClient.customerReads(dee.id, DEMO.pageId);
      await eventually(async () => {
        const r = await owner.get(`/api/v1/messages/${byHuman.body.id}`);
        return r.body.status === 'read' ? r.body : null;
      }, 'the read watermark to mark the reply read');

      h.clock.advance(6 * day);
      const late = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
        content: { type: 'text', text: 'a week later' },
      });
      assert.equal(late.status, 409);
      assert.equal(late.body.error.code, 'window_closed');
      h.clock.advance(-6 * day);
    } finally {
      h.clock.advance(-2 * day);
      await h.simClient.advanceClock(-2 * day, DEMO.pageId);
    }
  });

  test('Instagram: inbound and reply', async () => {
    const eve = await newCustomer('Eve Insta');
    await h.simClient.customerSends(eve.id, DEMO.instagramId, { type: 'text', text: 'insta hello' });
    const conversation = await conversationOf(channels.instagram, 'insta hello');
    const reply = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
      content: { type: 'text', text: 'hi on instagram' },
    });
    assert.equal(reply.status, 201);
    await eventually(async () => {
      const t = await h.simClient.thread(eve.id, DEMO.instagramId);
      return t.messages.some((m) => m.direction === 'out');
    }, 'the Instagram reply to arrive');
  });
});

describe('sending is safe to retry and failures are explained', () => {
  test('the same Idempotency-Key sent three times → one message; a different body → 409', async () => {
    const fay = await newCustomer('Fay Retry');
    await h.simClient.customerSends(fay.id, DEMO.phoneNumberId, { type: 'text', text: 'retry me' });
    const conversation = await conversationOf(channels.whatsapp, 'retry me');
    const body = { content: { type: 'text', text: 'only once please' } };
    const headers = { 'idempotency-key': 'order-1234-reply' };
    const first = await owner.request('POST', `/api/v1/conversations/${conversation.id}/messages`, body, {
      headers,
    });
    const again = await Promise.all([
      owner.request('POST', `/api/v1/conversations/${conversation.id}/messages`, body, { headers }),
      owner.request('POST', `/api/v1/conversations/${conversation.id}/messages`, body, { headers }),
    ]);
    assert.equal(first.status, 201);
    for (const r of again) {
      assert.equal(r.status, 200);
      assert.equal(r.body.id, first.body.id);
    }
    const different = await owner.request(
      'POST',
      `/api/v1/conversations/${conversation.id}/messages`,
      { content: { type: 'text', text: 'something else' } },
      { headers },
    );
    assert.equal(different.status, 409);
    assert.equal(different.body.error.code, 'idempotency_key_reused');
    await messageStatus(first.body.id, 'read');
    const thread = await h.simClient.thread(fay.id, DEMO.phoneNumberId);
    assert.equal(thread.messages.filter((m) => m.direction === 'out').length, 1);
  });

  test('a number not on WhatsApp → failed with Meta’s code and a plain explanation', async () => {
    const gus = await newCustomer('Gus Gone');
    await h.simClient.customerSends(gus.id, DEMO.phoneNumberId, { type: 'text', text: 'about to leave' });
    const conversation = await conversationOf(channels.whatsapp, 'about to leave');
    await h.simClient.updateCustomer(gus.id, { onWhatsApp: false });
    const reply = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
      content: { type: 'text', text: 'are you there?' },
    });
    const failed = await messageStatus(reply.body.id, 'failed');
    assert.equal(failed.error.code, 131026);
    assert.equal(failed.error.class, 'invalid_recipient');
    assert.match(failed.error.explanation, /cannot receive/);
  });

  test('a revoked token fails the send and shows on the channel’s health', async () => {
    const other = await signUpOwner(h.app);
    const token = await h.simClient.createToken({ businessId: DEMO.businessId });
    const connected = await other.post('/api/v1/channels', {
      kind: 'messenger',
      name: 'second page',
      accountId: DEMO.pageId,
      appId: DEMO.appId,
      appSecret: DEMO.appSecret,
      verifyToken: DEMO.verifyToken,
      accessToken: token.token,
    });
    // The demo page is already connected to the first workspace.
    assert.equal(connected.status, 409);
    // Revoke the token of our own WhatsApp channel by replacing it with one that then expires.
    const temp = await h.simClient.createToken({ businessId: DEMO.businessId });
    const put = await owner.request('PUT', `/api/v1/channels/${channels.whatsapp}/token`, {
      accessToken: temp.token,
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await h.simClient.expireToken(temp.token);
    try {
      const hana = await newCustomer('Hana Token');
      await h.simClient.customerSends(hana.id, DEMO.phoneNumberId, { type: 'text', text: 'token test' });
      const conversation = await conversationOf(channels.whatsapp, 'token test');
      const reply = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
        content: { type: 'text', text: 'this will not go' },
      });
      const failed = await messageStatus(reply.body.id, 'failed');
      assert.equal(failed.error.class, 'auth_revoked');
      const channel = await owner.get(`/api/v1/channels/${channels.whatsapp}`);
      assert.equal(channel.body.status, 'auth_revoked');
      assert.equal(channel.body.health.tokenValid, false);
      const blocked = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
        content: { type: 'text', text: 'still not' },
      });
      assert.equal(blocked.status, 409);
      assert.equal(blocked.body.error.code, 'channel_unavailable');
    } finally {
      const restored = await owner.request('PUT', `/api/v1/channels/${channels.whatsapp}/token`, {
        accessToken: DEMO.accessToken,
      });
      assert.equal(restored.status, 200);
      assert.equal(restored.body.status, 'active');
    }
  });
});

describe('webhooks: signatures, duplicates, order, dead letters', () => {
  const countEvents = () =>
    h.ctx.db.asOwner(
      async (tx) =>
        (await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from webhook_events`))[0]?.n ?? 0,
    );
  const sign = (body: string, secret: string = DEMO.appSecret) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${h.url}/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  test('the verification handshake echoes the challenge only for a known verify token', async () => {
    const ok = await fetch(
      `${h.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${DEMO.verifyToken}&hub.challenge=12345`,
    );
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '12345');
    const bad = await fetch(
      `${h.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
    );
    assert.equal(bad.status, 403);
  });

  test('a wrong, missing or malformed signature → 401 and nothing stored', async () => {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const before = await countEvents();
    const attempts: Record<string, string>[] = [
      {},
      { 'x-hub-signature-256': sign(body, 'the-wrong-secret') },
      { 'x-hub-signature-256': 'sha256=zz' },
      { 'x-hub-signature-256': sign(`${body} `) },
      { 'x-hub-signature': `sha1=${createHmac('sha1', DEMO.appSecret).update(body).digest('hex')}` },
    ];
    for (const headers of attempts) {
      const res = await post(body, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(((await res.json()) as any).error.code, 'invalid_signature');
    }
    // Meta's payloads reach 3 MB; more is refused before the signature is even read.
    const huge = JSON.stringify({ object: 'page', entry: [], pad: 'x'.repeat(3 * 1024 * 1024) });
    const tooBig = await post(huge, { 'x-hub-signature-256': sign(huge) });
    assert.equal(tooBig.status, 413);
    const large = JSON.stringify({ object: 'page', entry: [], pad: 'x'.repeat(2 * 1024 * 1024) });
    assert.equal(
      (await post(large, { 'x-hub-signature-256': sign(large) })).status,
      200,
      'a 2 MB delivery is accepted',
    );
    assert.equal(await countEvents(), before + 1);
  });

  test('duplicated, reordered and batched deliveries → each message exactly once, in order', async () => {
    const ivy = await newCustomer('Ivy Faults');
    await h.simClient.setFaults({ webhooks: { duplicateRate: 1, reorderWindow: 5, batchSize: 3 } });
    try {
      for (let i = 1; i <= 10; i += 1) {
        // WhatsApp timestamps are whole seconds: a second apart, their order is known.
        await h.simClient.advanceClock(1000, DEMO.phoneNumberId);
        await h.simClient.customerSends(ivy.id, DEMO.phoneNumberId, { type: 'text', text: `faulty ${i}` });
      }
      await h.simClient.clearFaults();
      await h.simClient.waitIdle();
      const conversation = await conversationOf(channels.whatsapp, 'faulty 10');
      const items = await eventually(async () => {
        const t = await timeline(conversation.id);
        return t.length >= 10 ? t : null;
      }, 'ten messages');
      const texts = items.map((m) => m.content.text).reverse();
      assert.deepEqual(
        texts,
        Array.from({ length: 10 }, (_, i) => `faulty ${i + 1}`),
      );
      // Messages applied together leave the conversation as one by one would.
      const after = await owner.get(`/api/v1/conversations/${conversation.id}`);
      assert.equal(after.body.unreadCount, 10);
      assert.equal(after.body.preview, 'faulty 10');
      const stats = await h.simClient.webhookStats();
      assert.ok(stats.duplicated > 0, 'the simulator did send duplicates');
    } finally {
      await h.simClient.clearFaults();
    }
  });

  test('a delivery for an unknown number and one that is not JSON → dead letters; replay after connecting', async () => {
    const unknownNumber = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '399999999999999',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000000', phone_number_id: '499999999999999' },
                contacts: [{ profile: { name: 'Nobody' }, wa_id: '15550001111' }],
                messages: [
                  {
                    from: '15550001111',
                    id: 'wamid.dead1',
                    timestamp: '1767225600',
                    type: 'text',
                    text: { body: 'lost?' },
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    for (const body of [
      JSON.stringify(unknownNumber),
      '{"object": "whatsapp_business_account", "entry": [',
    ]) {
      const res = await post(body, { 'x-hub-signature-256': sign(body) });
      assert.equal(res.status, 200);
    }
    const operator = await eventually(async () => {
      const res = await owner.get('/api/v1/operator/webhook-events');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.items.length >= 2 ? res.body.items : null;
    }, 'two dead letters');
    const invalid = operator.find((e: any) => /not valid JSON/.test(e.error));
    const unrouted = operator.find((e: any) => /499999999999999/.test(e.error));
    assert.ok(invalid && unrouted, JSON.stringify(operator));
    assert.equal(unrouted.payload.entry[0].id, '399999999999999');
    assert.equal(typeof invalid.payload, 'string', 'an unparseable delivery is kept as its raw text');
    // A workspace does not see dead letters that were never routed to it.
    assert.deepEqual((await owner.get('/api/v1/webhook-events')).body.items, []);
    const replay = await owner.post(`/api/v1/operator/webhook-events/${unrouted.id}/replay`);
    assert.equal(replay.status, 202);
  });

  test('a delivery that cannot be applied fails alone: the others processed with it are stored', async () => {
    const delivery = (wamid: string, text: string, waId: string) =>
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: DEMO.wabaId,
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: {
                    display_phone_number: DEMO.displayPhoneNumber,
                    phone_number_id: DEMO.phoneNumberId,
                  },
                  contacts: [{ profile: { name: 'Poison Test' }, wa_id: waId }],
                  messages: [
                    {
                      from: waId,
                      id: wamid,
                      timestamp: String(Math.floor(h.clock.now().getTime() / 1000)),
                      type: 'text',
                      text: { body: text },
                    },
                  ],
                },
              },
            ],
          },
        ],
      });
    // Valid JSON, parsed fine — but PostgreSQL text cannot hold NUL, so storing this wamid throws
    // inside the processing transaction (on PostgreSQL, the transaction of its whole chunk).
    const poison = delivery('wamid.poison\u0000', 'the poison', '15550002002');
    const bodies = [
      delivery('wamid.poison-ok-1', 'before the poison', '15550002001'),
      poison,
      delivery('wamid.poison-ok-2', 'after the poison', '15550002003'),
    ];
    const responses = await Promise.all(bodies.map((b) => post(b, { 'x-hub-signature-256': sign(b) })));
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200],
    );
    await conversationOf(channels.whatsapp, 'before the poison');
    await conversationOf(channels.whatsapp, 'after the poison');
    const hash = createHash('sha256').update(poison).digest('hex');
    const row = await eventually(async () => {
      const [r] = await h.ctx.db.asOwner((tx) =>
        queryRows<{ status: string; attempts: number; last_error: string | null }>(
          tx,
          sql`select status, attempts, last_error from webhook_events where body_hash = ${hash}`,
        ),
      );
      return r?.last_error ? r : null;
    }, 'the poison delivery to be marked failed');
    assert.equal(row.status, 'pending', 'retried later with backoff, dead after 8 attempts');
    assert.ok(row.attempts >= 1);
    assert.match(row.last_error ?? '', /invalid byte sequence/, 'the database’s own reason');
    // The log says what failed, never the failed query's parameters (ids, ciphertext).
    const logged = h.logs.filter((l) => l.includes('webhook processing failed'));
    assert.ok(logged.length > 0);
    for (const line of logged) {
      assert.ok(!line.includes('wamid.poison'), line.slice(0, 300));
      assert.match(line, /params: \[redacted\]/);
    }
  });
});

describe('encryption at rest', () => {
  test('a dump of the messages, conversations, contacts and raw webhooks holds none of the text sent', async () => {
    const secretText = `zebra-${Date.now()}-secret words`;
    const jo = await newCustomer('Jo Cipher');
    await h.simClient.customerSends(jo.id, DEMO.phoneNumberId, { type: 'text', text: secretText });
    const conversation = await conversationOf(channels.whatsapp, secretText);
    const reply = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
      content: { type: 'text', text: `reply ${secretText}` },
    });
    assert.equal(reply.status, 201);
    await messageStatus(reply.body.id, 'read');
    const search = await owner.get(`/api/v1/conversations?search=${encodeURIComponent('zebra secret')}`);
    assert.deepEqual(
      search.body.items.map((c: { id: string }) => c.id),
      [conversation.id],
      'search over encrypted text finds it',
    );
    for (const table of ['messages', 'conversations', 'contacts', 'contact_identities', 'webhook_events']) {
      const rows = await h.ctx.db.asOwner((tx) =>
        queryRows<{ dump: string }>(
          tx,
          sql`select ${sql.raw(`${table}::text`)} as dump from ${sql.raw(table)}`,
        ),
      );
      const all = rows.map((r) => r.dump).join('\n');
      assert.ok(all.length > 0);
      for (const needle of ['zebra', Buffer.from('zebra').toString('hex'), 'Jo Cipher', jo.waId ?? 'x']) {
        assert.ok(!all.includes(needle), `${table} holds "${needle}" in the clear`);
      }
    }
  });
});
