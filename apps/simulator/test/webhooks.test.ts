import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { deriveScopedId, DEMO } from '../src/index.ts';
import { metaJson } from '../src/webhooks/meta-json.ts';
import {
  ANA_WA,
  changesOf,
  messagesOf,
  messagingOf,
  PHONE,
  startHarness,
  statusesOf,
  text,
  type Harness,
} from './helpers.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sign = (body: string) => `sha256=${createHmac('sha256', DEMO.appSecret).update(body).digest('hex')}`;

describe('Meta JSON escaping', () => {
  test('non-ASCII as lowercase \\uXXXX (surrogate pairs) and / as \\/', () => {
    const out = metaJson({ a: 'ä/😀', b: 'https://x.y/z' });
    assert.equal(out, '{"a":"\\u00e4\\/\\ud83d\\ude00","b":"https:\\/\\/x.y\\/z"}');
    assert.deepEqual(JSON.parse(out), { a: 'ä/😀', b: 'https://x.y/z' });
  });
});

describe('handshake and signatures', () => {
  test('GET handshake before the first delivery, then signed POSTs over the exact bytes', async () => {
    h = await startHarness();
    const { receiver, client } = h;
    await client.customerSends('ana', PHONE, { type: 'text', text: 'Olá, café? ünïcödé/😀' });
    await receiver.waitFor((r) => r.some((x) => x.method === 'POST'));
    assert.equal(receiver.verifications.length, 1);
    assert.equal(receiver.verifications[0]?.mode, 'subscribe');
    assert.equal(receiver.verifications[0]?.token, DEMO.verifyToken);
    const [post] = receiver.posts();
    assert.ok(post);
    assert.equal(post.headers['x-hub-signature-256'], sign(post.body));
    assert.equal(post.headers['content-type'], 'application/json');
    assert.match(post.body, /Ol\\u00e1, caf\\u00e9\? \\u00fcn\\u00efc\\u00f6d\\u00e9\\\/\\ud83d\\ude00/);
    assert.ok(/^[\x20-\x7e]*$/.test(post.body), 'body is pure ASCII');
    const msg = messagesOf(receiver.received)[0];
    assert.equal(msg.text.body, 'Olá, café? ünïcödé/😀');
    assert.equal(msg.from, ANA_WA);
    assert.match(msg.timestamp, /^\d{10}$/);
    const value = (post.json as any).entry[0].changes[0].value;
    assert.deepEqual(value.metadata, {
      display_phone_number: DEMO.displayPhoneNumber,
      phone_number_id: PHONE,
    });
    assert.deepEqual(value.contacts, [{ profile: { name: 'Ana Ruiz' }, wa_id: ANA_WA }]);
    // A second event does not repeat the handshake.
    await client.customerSends('ana', PHONE, { type: 'text', text: 'again' });
    await receiver.waitFor((r) => r.filter((x) => x.method === 'POST').length >= 2);
    assert.equal(receiver.verifications.length, 1);
  });

  test('a wrong verify token blocks delivery until it is fixed; control API reports the handshake', async () => {
    h = await startHarness({ timing: { ...fastTimingQuick(), webhookMaxAttempts: 100 } });
    const { receiver, client } = h;
    const bad = await client.setWebhook(DEMO.appId, { callbackUrl: receiver.url, verifyToken: 'wrong' });
    assert.deepEqual(bad, { verified: false, status: 403 });
    await client.customerSends('ana', PHONE, { type: 'text', text: 'held back' });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(receiver.posts().length, 0);
    receiver.verifyToken = 'wrong';
    await receiver.waitFor((r) => r.some((x) => x.method === 'POST'), 3000);
    assert.equal(messagesOf(receiver.received)[0].text.body, 'held back');
    const deliveries = await client.deliveries();
    assert.ok(deliveries.some((d) => d.kind === 'verify' && d.outcome === 'http_error'));
    assert.ok(deliveries.some((d) => d.kind === 'verify' && d.outcome === 'ok'));
  });
});

function fastTimingQuick() {
  return {
    sentMs: 0,
    deliveredMs: 0,
    readMs: 0,
    reviewMs: 0,
    webhookTimeoutMs: 1000,
    webhookRetryBaseMs: 5,
    webhookRetryMaxMs: 20,
    webhookMaxAttempts: 6,
    mediaUrlTtlMs: 300_000,
    typingIndicatorMs: 25_000,
  };
}

describe('statuses', () => {
  test('sent → delivered → read with biz_opaque_callback_data and pricing', async () => {
    h = await startHarness();
    await h.client.customerSends('ana', PHONE, { type: 'text', text: 'hi' });
    const r = await h.graph(
      'POST',
      `/${PHONE}/messages`,
      text(ANA_WA, 'Hello!', { biz_opaque_callback_data: 'order-991' }),
    );
    const id = r.json.messages[0].id;
    await h.receiver.waitFor((rec) => statusesOf(rec).filter((s) => s.id === id).length === 3);
    const statuses = statusesOf(h.receiver.received).filter((s) => s.id === id);
    // Webhooks are concurrent (no ordering guarantee, like Meta): compare as a set.
    assert.deepEqual(statuses.map((s) => s.status).sort(), ['delivered', 'read', 'sent']);
    for (const s of statuses) {
      assert.equal(s.biz_opaque_callback_data, 'order-991');
      assert.equal(s.recipient_id, ANA_WA);
      assert.match(s.timestamp, /^\d{10}$/);
      assert.equal(s.pricing.pricing_model, 'PMP');
      assert.equal(s.pricing.category, 'service');
    }
    assert.equal(
      typeof statuses.find((s) => s.status === 'sent').conversation.expiration_timestamp,
      'string',
    );
    const thread = await h.client.thread('ana', PHONE);
    assert.equal(thread.messages.at(-1)?.status, 'read');
  });

  test('free-form outside the 24 h window: accepted, then failed 131047 (after a clock jump)', async () => {
    h = await startHarness();
    await h.client.customerSends('ben', PHONE, { type: 'text', text: 'hi' });
    await h.client.advanceClock(24 * 3600_000 + 1000, PHONE);
    const r = await h.graph(
      'POST',
      `/${PHONE}/messages`,
      text('447700900002', 'too late', { biz_opaque_callback_data: 'x1' }),
    );
    assert.equal(r.status, 200);
    const id = r.json.messages[0].id;
    await h.receiver.waitFor((rec) => statusesOf(rec).some((s) => s.id === id));
    const [failed] = statusesOf(h.receiver.received).filter((s) => s.id === id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.errors[0].code, 131047);
    assert.equal(failed.errors[0].title, 'Re-engagement message');
    assert.equal(failed.biz_opaque_callback_data, 'x1');
    assert.equal(failed.pricing, undefined);
  });

  test('customer reads later when auto-read is off (delivered then read)', async () => {
    h = await startHarness({ timing: { ...fastTimingQuick(), readMs: null } });
    await h.client.customerSends('chen', PHONE, { type: 'text', text: 'hi' });
    const r = await h.graph('POST', `/${PHONE}/messages`, text('6591230003', 'Hello'));
    const id = r.json.messages[0].id;
    await h.receiver.waitFor((rec) => statusesOf(rec).some((s) => s.id === id && s.status === 'delivered'));
    assert.deepEqual(await h.client.customerReads('chen', PHONE), { read: 1 });
    await h.receiver.waitFor((rec) => statusesOf(rec).some((s) => s.id === id && s.status === 'read'));
  });
});

describe('at-least-once delivery and faults', () => {
  test('non-200 → retried with backoff until 200', async () => {
    h = await startHarness();
    h.receiver.failNext(3, 503);
    await h.client.customerSends('ana', PHONE, { type: 'text', text: 'retry me' });
    await h.receiver.waitFor((r) => r.filter((x) => x.method === 'POST').length >= 4);
    assert.ok(await h.client.waitIdle());
    const posts = h.receiver.posts();
    assert.equal(posts.length, 4);
    assert.equal(new Set(posts.map((p) => p.body)).size, 1, 'same bytes on every attempt');
    const log = (await h.client.deliveries()).filter((d) => d.kind === 'event');
    assert.deepEqual(
      log.map((d) => d.status),
      [503, 503, 503, 200],
    );
    assert.deepEqual(
      log.map((d) => d.attempt),
      [1, 2, 3, 4],
    );
    assert.ok(log[1]!.at - log[0]!.at >= 0);
  });

  test('timeout counts as a failure and is retried', async () => {
    h = await startHarness({ timing: { ...fastTimingQuick(), webhookTimeoutMs: 50 } });
    const slow = await import('node:http');
    let calls = 0;
    const server = slow.createServer((req, res) => {
      if (req.method === 'GET') {
        res.end(new URL(req.url ?? '', 'http://x').searchParams.get('hub.challenge') ?? '');
        return;
      }
      calls += 1;
      if (calls === 1) setTimeout(() => res.end('late'), 200);
      else res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port; // TCP listen → AddressInfo
    try {
      await h.client.setWebhook(DEMO.appId, {
        callbackUrl: `http://127.0.0.1:${port}/hook`,
        verifyToken: 't',
      });
      await h.client.customerSends('ana', PHONE, { type: 'text', text: 'slow' });
      assert.ok(await h.client.waitIdle(3000));
      const outcomes = (await h.client.deliveries()).filter((d) => d.kind === 'event').map((d) => d.outcome);
      assert.deepEqual(outcomes, ['timeout', 'ok']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('duplicate, drop, reorder and batch faults', async () => {
    h = await startHarness({ webhookConcurrency: 1 });
    const { client, receiver } = h;
    await client.setFaults({ webhooks: { duplicateNext: 1 } });
    await client.customerSends('ana', PHONE, { type: 'text', text: 'dup' });
    await receiver.waitFor((r) => r.filter((x) => x.method === 'POST').length >= 2);
    const dups = messagesOf(receiver.received);
    assert.equal(dups.length, 2);
    assert.equal(dups[0].id, dups[1].id);

    await client.setFaults({ webhooks: { dropNext: 1 } });
    await client.customerSends('ana', PHONE, { type: 'text', text: 'dropped' });
    await client.customerSends('ana', PHONE, { type: 'text', text: 'kept' });
    await receiver.waitFor((r) => messagesOf(r).some((m) => m.text.body === 'kept'));
    assert.ok(!messagesOf(receiver.received).some((m) => m.text.body === 'dropped'));

    await client.setFaults({ webhooks: { reorderWindow: 3 } });
    for (const t of ['r1', 'r2', 'r3']) await client.customerSends('ana', PHONE, { type: 'text', text: t });
    await receiver.waitFor((r) => messagesOf(r).filter((m) => /^r\d$/.test(m.text.body)).length === 3);
    assert.deepEqual(
      messagesOf(receiver.received)
        .filter((m) => /^r\d$/.test(m.text.body))
        .map((m) => m.text.body),
      ['r3', 'r2', 'r1'],
    );

    await client.clearFaults();
    await client.setFaults({ webhooks: { batchSize: 10, latencyMs: 30 } });
    const before = receiver.posts().length;
    for (const t of ['b1', 'b2', 'b3', 'b4'])
      await client.customerSends('ana', PHONE, { type: 'text', text: t });
    await receiver.waitFor((r) => messagesOf(r).filter((m) => /^b\d$/.test(m.text.body)).length === 4);
    const batched = receiver.posts().slice(before);
    assert.ok(batched.length < 4, `expected batching, got ${batched.length} posts`);
    const multi = batched.find((p) => (p.json as any).entry.length > 1);
    assert.ok(multi, 'one POST carries several entries');
    assert.equal(multi.headers['x-hub-signature-256'], sign(multi.body));
  });
});

describe('inbound events', () => {
  test('every WhatsApp inbound type, interactive replies and a CTWA referral', async () => {
    h = await startHarness();
    const { client, receiver } = h;
    const interactive = await h.graph('POST', `/${PHONE}/messages`, {
      messaging_product: 'whatsapp',
      to: ANA_WA,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Confirm?' },
        action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] },
      },
    });
    const list = await h.graph('POST', `/${PHONE}/messages`, {
      messaging_product: 'whatsapp',
      to: ANA_WA,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick' },
        action: {
          button: 'Open',
          sections: [{ title: 'S', rows: [{ id: 'row1', title: 'Row one', description: 'd' }] }],
        },
      },
    });
    const wamid = interactive.json.messages[0].id;
    await client.customerSends('ana', PHONE, { type: 'text', text: 'from ad', referral: true });
    await client.customerSends('ana', PHONE, { type: 'image', text: 'a photo' });
    await client.customerSends('ana', PHONE, { type: 'location' });
    await client.customerSends('ana', PHONE, { type: 'contacts' });
    await client.customerSends('ana', PHONE, {
      type: 'document',
      media: { filename: 'a.pdf', mimeType: 'application/pdf', dataBase64: 'JVBERi0=' },
    });
    await client.customerSends('ana', PHONE, { type: 'audio', media: { voice: true } });
    await client.customerSends('ana', PHONE, { type: 'button_reply', replyTo: wamid, buttonId: 'yes' });
    await client.customerSends('ana', PHONE, {
      type: 'list_reply',
      replyTo: list.json.messages[0].id,
      buttonId: 'row1',
    });
    await client.customerSends('ana', PHONE, { type: 'reaction', replyTo: wamid, emoji: '👍' });
    await client.customerSends('ana', PHONE, { type: 'unsupported' });
    await receiver.waitFor((r) => messagesOf(r).length === 10);
    const byType = (t: string) => messagesOf(receiver.received).filter((m) => m.type === t);
    assert.equal(byType('text')[0].referral.source_type, 'ad');
    assert.equal(typeof byType('text')[0].referral.ctwa_clid, 'string');
    const image = byType('image')[0].image;
    assert.equal(image.caption, 'a photo');
    const media = await h.graph('GET', `/${image.id}`);
    assert.equal(media.json.mime_type, 'image/png');
    assert.equal(byType('location')[0].location.latitude < 0, true);
    assert.equal(byType('contacts')[0].contacts[0].name.formatted_name, 'Maria Silva');
    assert.equal(byType('document')[0].document.filename, 'a.pdf');
    assert.equal(byType('audio')[0].audio.voice, true);
    const replies = byType('interactive');
    assert.deepEqual(replies[0].interactive, {
      type: 'button_reply',
      button_reply: { id: 'yes', title: 'Yes' },
    });
    assert.deepEqual(replies[0].context, { from: DEMO.displayPhoneNumber, id: wamid });
    assert.deepEqual(replies[1].interactive.list_reply, { id: 'row1', title: 'Row one', description: 'd' });
    assert.deepEqual(byType('reaction')[0].reaction, { message_id: wamid, emoji: '👍' });
    assert.equal(byType('unsupported')[0].errors[0].code, 131051);
  });

  test('template quick-reply button taps arrive as type "button"', async () => {
    h = await startHarness();
    const r = await h.graph('POST', `/${PHONE}/messages`, {
      messaging_product: 'whatsapp',
      to: ANA_WA,
      type: 'template',
      template: {
        name: 'weekly_offer',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/p.jpg' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', parameter_name: 'first_name', text: 'Ana' },
              { type: 'text', parameter_name: 'offer', text: 'cake' },
            ],
          },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '0',
            parameters: [{ type: 'payload', payload: 'STOP_PROMOS' }],
          },
        ],
      },
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    await h.client.customerSends('ana', PHONE, {
      type: 'button',
      replyTo: r.json.messages[0].id,
      buttonId: 'STOP_PROMOS',
    });
    await h.receiver.waitFor((rec) => messagesOf(rec).length === 1);
    assert.deepEqual(messagesOf(h.receiver.received)[0].button, {
      payload: 'STOP_PROMOS',
      text: 'Stop promotions',
    });
  });

  test('Messenger and Instagram messaging[] with ms timestamps, echoes, deliveries, reads, postbacks', async () => {
    h = await startHarness();
    const { client, receiver } = h;
    await client.customerSends('ana', DEMO.pageId, { type: 'text', text: 'hi page' });
    const psid = deriveScopedId('psid', DEMO.pageId, 'ana');
    const sent = await h.graph('POST', `/${DEMO.pageId}/messages`, {
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: { text: 'Pick one', quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'YES' }] },
    });
    await client.customerSends('ana', DEMO.pageId, {
      type: 'button_reply',
      replyTo: sent.json.message_id,
      buttonId: 'YES',
    });
    await client.customerSends('ana', DEMO.instagramId, { type: 'text', text: 'hi insta' });
    await receiver.waitFor(
      (r) =>
        messagingOf(r).some((e) => e.read) &&
        messagingOf(r).some((e) => e.message?.quick_reply) &&
        messagingOf(r).some((e) => e.object === 'instagram'),
    );
    const events = messagingOf(receiver.received);
    const first = events.find((e) => e.message?.text === 'hi page');
    assert.equal(first.object, 'page');
    assert.equal(first.sender.id, psid);
    assert.equal(first.recipient.id, DEMO.pageId);
    assert.ok(first.timestamp > 1e12, 'milliseconds');
    assert.ok(first.entry.time > 1e12);
    const echo = events.find((e) => e.message?.is_echo);
    assert.equal(echo.message.mid, sent.json.message_id);
    assert.equal(echo.recipient.id, psid);
    assert.equal(echo.message.app_id, Number(DEMO.appId));
    assert.ok(events.some((e) => e.delivery?.mids?.includes(sent.json.message_id)));
    assert.equal(events.find((e) => e.message?.quick_reply).message.quick_reply.payload, 'YES');
    const ig = events.find((e) => e.object === 'instagram');
    assert.equal(ig.sender.id, deriveScopedId('igsid', DEMO.instagramId, 'ana'));
  });

  test('leadgen and Google lead-form webhooks', async () => {
    h = await startHarness();
    const { client, receiver } = h;
    const lead = await client.createLead();
    await receiver.waitFor((r) => changesOf(r, 'leadgen').length === 1);
    const value = changesOf(receiver.received, 'leadgen')[0];
    assert.equal(value.leadgen_id, lead.leadgenId);
    assert.equal(value.page_id, DEMO.pageId);
    assert.equal(typeof value.created_time, 'number');
    await client.setGoogleForm(DEMO.googleFormId, { webhookUrl: receiver.url.replace('/meta', '/google') });
    const g = await client.googleLead({ fields: { FULL_NAME: 'Ana Ruiz', EMAIL: 'ana@example.com' } });
    await receiver.waitFor((r) => r.some((x) => x.url === '/webhooks/google'));
    const post = receiver.received.find((x) => x.url === '/webhooks/google')!;
    const body = post.json as any;
    assert.equal(body.lead_id, g.leadId);
    assert.equal(body.google_key, DEMO.googleKey);
    assert.deepEqual(body.user_column_data[0], {
      column_name: 'Full Name',
      string_value: 'Ana Ruiz',
      column_id: 'FULL_NAME',
    });
    assert.equal(post.headers['x-hub-signature-256'], undefined);
  });

  test('template review webhooks: approved and rejected', async () => {
    h = await startHarness();
    const create = (name: string, components: unknown[]) =>
      h!.graph('POST', `/${DEMO.wabaId}/message_templates`, {
        name,
        language: 'en_US',
        category: 'MARKETING',
        components,
      });
    const good = await create('spring_sale', [
      { type: 'BODY', text: 'Hi {{1}}, spring sale today.', example: { body_text: [['Ana']] } },
    ]);
    const noExample = await create('no_example', [{ type: 'BODY', text: 'Hi {{1}}, spring sale.' }]);
    const badName = await create('Bad Name', [{ type: 'BODY', text: 'Hello there' }]);
    const mismatch = await create('mismatch', [
      { type: 'BODY', text: 'Hi {{1}} and {{2}}.', example: { body_text: [['Ana']] } },
    ]);
    await h.receiver.waitFor((r) => changesOf(r, 'message_template_status_update').length === 4);
    const events = changesOf(h.receiver.received, 'message_template_status_update');
    const byId = (id: string) => events.find((e) => e.message_template_id === Number(id));
    assert.equal(byId(good.json.id).event, 'APPROVED');
    assert.equal(byId(good.json.id).reason, 'NONE');
    assert.equal(byId(noExample.json.id).event, 'REJECTED');
    assert.equal(byId(badName.json.id).event, 'REJECTED');
    assert.equal(byId(mismatch.json.id).event, 'REJECTED');
    assert.equal(byId(mismatch.json.id).reason, 'INVALID_FORMAT');
    const fetched = await h.graph('GET', `/${good.json.id}`);
    assert.equal(fetched.json.status, 'APPROVED');
  });
});
