import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '@parley/simulator';
import type { MessageJson } from '@parley/testing/simulator-client';
import {
  ChannelError,
  createProviders,
  LOCAL_ERROR_CODES,
  type ChannelAccount,
  type MessageContent,
} from '../src/index.ts';
import { failureOfResult, messageWithId, sentId, startHarness, statusOf, type Harness } from './helpers.ts';

const PHONE = DEMO.phoneNumberId;
let h: Harness;

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

/** A fresh customer who has just written to us (open 24 h window). */
async function chattingCustomer(): Promise<{ id: string; waId: string; lastInbound: string }> {
  const c = await h.client.createCustomer({ name: 'Tom Baker' });
  assert.ok(c.waId);
  const m = await h.client.customerSends(c.id, PHONE, { type: 'text', text: 'hello' });
  return { id: c.id, waId: c.waId, lastInbound: m.id };
}

async function ourMessage(customerId: string, id: string): Promise<MessageJson> {
  const thread = await h.client.thread(customerId, PHONE);
  const message = thread.messages.find((m) => m.id === id);
  assert.ok(message, `message ${id} is in the customer's thread`);
  assert.equal(message.direction, 'out');
  return message;
}

async function uploadMedia(bytes: Buffer, mimeType: string, filename: string): Promise<string> {
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', mimeType);
  form.set('file', new Blob([bytes], { type: mimeType }), filename);
  const response = await fetch(`${h.sim.graphUrl}/${PHONE}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO.accessToken}` },
    body: form,
  });
  const json = (await response.json()) as { id: string };
  assert.equal(response.status, 200);
  return json.id;
}

describe('send: every outbound type reaches the customer', () => {
  test('text, quoted reply and biz_opaque_callback_data', async () => {
    const c = await chattingCustomer();
    const wa = h.providers.whatsapp;
    const id = sentId(
      await wa.send(
        h.accounts.whatsapp,
        `+${c.waId}`,
        { type: 'text', text: 'Your order is *ready* https://example.com/o/1' },
        { callbackData: 'our-msg-1', replyToProviderMessageId: c.lastInbound },
      ),
    );
    assert.match(id, /^wamid\./);
    const message = await ourMessage(c.id, id);
    assert.equal(message.view.kind, 'text');
    assert.equal(message.view.text, 'Your order is *ready* https://example.com/o/1');
    assert.equal(message.view.replyTo, c.lastInbound);
    assert.equal(message.bizOpaque, 'our-msg-1');
  });

  test('media by link (image with caption, video, audio, sticker) and by uploaded id (document)', async () => {
    const c = await chattingCustomer();
    const send = (content: MessageContent) => h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, content);
    const image = sentId(
      await send({ type: 'image', media: { url: 'https://example.com/cake.jpg', caption: 'Fresh today' } }),
    );
    const imageView = (await ourMessage(c.id, image)).view;
    assert.equal(imageView.media?.url, 'https://example.com/cake.jpg');
    assert.equal(imageView.caption, 'Fresh today');
    for (const type of ['video', 'audio', 'sticker'] as const) {
      const id = sentId(await send({ type, media: { url: `https://example.com/file.${type}` } }));
      const view = (await ourMessage(c.id, id)).view;
      assert.equal(view.media?.type, type);
      assert.equal(view.media?.url, `https://example.com/file.${type}`);
    }
    const mediaId = await uploadMedia(Buffer.from('%PDF-1.4 menu'), 'application/pdf', 'menu.pdf');
    const doc = sentId(
      await send({
        type: 'document',
        media: { providerMediaId: mediaId, filename: 'menu.pdf', caption: 'Our menu' },
      }),
    );
    const docView = (await ourMessage(c.id, doc)).view;
    assert.equal(docView.media?.url, `media:${mediaId}`);
    assert.equal(docView.media?.filename, 'menu.pdf');
    assert.equal(docView.caption, 'Our menu');
  });

  test('location and contacts', async () => {
    const c = await chattingCustomer();
    const wa = h.providers.whatsapp;
    const location = sentId(
      await wa.send(h.accounts.whatsapp, c.waId, {
        type: 'location',
        latitude: -23.55,
        longitude: -46.63,
        name: 'Demo Bakery',
        address: 'Rua A, 1',
      }),
    );
    assert.deepEqual((await ourMessage(c.id, location)).view.location, {
      latitude: -23.55,
      longitude: -46.63,
      name: 'Demo Bakery',
      address: 'Rua A, 1',
    });
    const contacts = sentId(
      await wa.send(h.accounts.whatsapp, c.waId, {
        type: 'contacts',
        contacts: [{ name: 'Bakery Support', phones: [{ phone: '+15550100001', type: 'WORK' }], emails: [] }],
      }),
    );
    assert.equal((await ourMessage(c.id, contacts)).view.text, 'Bakery Support');
  });

  test('interactive buttons and list', async () => {
    const c = await chattingCustomer();
    const wa = h.providers.whatsapp;
    const buttons = sentId(
      await wa.send(h.accounts.whatsapp, c.waId, {
        type: 'interactive',
        interactive: {
          kind: 'button',
          header: 'Booking',
          body: 'Confirm your slot?',
          footer: 'Reply anytime',
          buttons: [
            { id: 'yes', title: 'Yes' },
            { id: 'no', title: 'No' },
          ],
        },
      }),
    );
    const buttonsView = (await ourMessage(c.id, buttons)).view;
    assert.equal(buttonsView.text, 'Confirm your slot?');
    assert.equal(buttonsView.header, 'Booking');
    assert.equal(buttonsView.footer, 'Reply anytime');
    assert.deepEqual(
      buttonsView.buttons?.map((b) => [b.id, b.title]),
      [
        ['yes', 'Yes'],
        ['no', 'No'],
      ],
    );
    const list = sentId(
      await wa.send(h.accounts.whatsapp, c.waId, {
        type: 'interactive',
        interactive: {
          kind: 'list',
          body: 'Pick a branch',
          button: 'Branches',
          sections: [
            { title: 'North', rows: [{ id: 'n1', title: 'Downtown', description: 'Open 9-18' }] },
            { title: 'South', rows: [{ id: 's1', title: 'Harbour' }] },
          ],
        },
      }),
    );
    assert.deepEqual((await ourMessage(c.id, list)).view.list, {
      button: 'Branches',
      sections: [
        { title: 'North', rows: [{ id: 'n1', title: 'Downtown', description: 'Open 9-18' }] },
        { title: 'South', rows: [{ id: 's1', title: 'Harbour' }] },
      ],
    });
  });

  test('template with components passed through (even outside the window)', async () => {
    const c = await h.client.createCustomer({ name: 'Nia' });
    assert.ok(c.waId);
    const id = sentId(
      await h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, {
        type: 'template',
        template: {
          name: 'order_update',
          language: 'en_US',
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Nia' },
                { type: 'text', text: 'A-991' },
              ],
            },
            { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-991' }] },
          ],
        },
      }),
    );
    const message = await ourMessage(c.id, id);
    assert.equal(message.view.kind, 'template');
    assert.equal(message.view.text, 'Hi Nia, your order A-991 is on its way.');
    // Templates may go outside the customer service window: delivered, not failed.
    await h.receiver.waitForEvent(statusOf(id, 'delivered'));
  });

  test('reaction and its removal', async () => {
    const c = await chattingCustomer();
    const wa = h.providers.whatsapp;
    const react = sentId(
      await wa.send(h.accounts.whatsapp, c.waId, {
        type: 'reaction',
        targetProviderMessageId: c.lastInbound,
        emoji: '🎉',
      }),
    );
    assert.deepEqual((await ourMessage(c.id, react)).view.reaction, {
      messageId: c.lastInbound,
      emoji: '🎉',
    });
    const removed = sentId(
      await wa.send(h.accounts.whatsapp, c.waId, {
        type: 'reaction',
        targetProviderMessageId: c.lastInbound,
        emoji: '',
      }),
    );
    assert.deepEqual((await ourMessage(c.id, removed)).view.reaction, {
      messageId: c.lastInbound,
      emoji: '',
    });
  });
});

describe('send: content WhatsApp cannot take is refused before any request', () => {
  test('limits and inbound-only content → invalid_request, no HTTP call', async () => {
    let calls = 0;
    const counting = createProviders({
      ...h.graph,
      fetch: (input, init) => {
        calls += 1;
        return fetch(input, init);
      },
    }).whatsapp;
    const refused: MessageContent[] = [
      { type: 'text', text: 'x'.repeat(4097) },
      { type: 'text', text: '' },
      { type: 'audio', media: { url: 'https://example.com/a.ogg', caption: 'no captions on audio' } },
      { type: 'image', media: {} },
      { type: 'image', media: { url: 'ftp://example.com/a.jpg' } },
      {
        type: 'interactive',
        interactive: {
          kind: 'button',
          body: 'Too many',
          buttons: ['a', 'b', 'c', 'd'].map((id) => ({ id, title: id })),
        },
      },
      {
        type: 'interactive',
        interactive: {
          kind: 'button',
          body: 'Long',
          buttons: [{ id: 'a', title: 'A title over twenty chars' }],
        },
      },
      {
        type: 'interactive',
        interactive: {
          kind: 'list',
          body: 'Eleven rows',
          button: 'Pick',
          sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` })) }],
        },
      },
      { type: 'interactive_reply', kind: 'button_reply', replyId: 'a', title: 'A' },
      { type: 'unsupported', reason: 'x' },
    ];
    for (const content of refused) {
      const failure = failureOfResult(await counting.send(h.accounts.whatsapp, '5511999990001', content));
      assert.equal(failure.class, 'invalid_request', JSON.stringify(content).slice(0, 80));
      assert.equal(failure.code, LOCAL_ERROR_CODES.invalidContent);
    }
    const tooLongCallback = await counting.send(
      h.accounts.whatsapp,
      '5511999990001',
      { type: 'text', text: 'hi' },
      { callbackData: 'x'.repeat(513) },
    );
    assert.equal(failureOfResult(tooLongCallback).class, 'invalid_request');
    assert.equal(calls, 0);
  });
});

describe('send: Meta errors are classified', () => {
  test('130429 throughput → rate_limited with a retry hint', async () => {
    const c = await chattingCustomer();
    await h.client.patchPhoneNumber(PHONE, { throughputMps: 1 });
    try {
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, { type: 'text', text: 'burst' }),
        ),
      );
      const failure = results.find((r) => !r.ok);
      assert.ok(failure && !failure.ok, 'at least one send was throttled');
      assert.equal(failure.failure.code, 130429);
      assert.equal(failure.failure.class, 'rate_limited');
      assert.ok((failure.failure.retryAfterMs ?? 0) > 0);
      assert.equal(failure.failure.httpStatus, 400);
    } finally {
      await h.client.patchPhoneNumber(PHONE, { throughputMps: 80 });
      // The token bucket refills in real time: give it a moment before the next test sends.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  test('131056 pair rate limit → rate_limited (other recipients unaffected)', async () => {
    const c = await chattingCustomer();
    const other = await chattingCustomer();
    await h.client.setRules({ pairBurst: 2 }, PHONE);
    try {
      const send = (to: string) =>
        h.providers.whatsapp.send(h.accounts.whatsapp, to, { type: 'text', text: 'again' });
      sentId(await send(c.waId));
      sentId(await send(c.waId));
      const failure = failureOfResult(await send(c.waId));
      assert.equal(failure.code, 131056);
      assert.equal(failure.class, 'rate_limited');
      assert.equal(failure.retryAfterMs, 6000);
      sentId(await send(other.waId));
    } finally {
      await h.client.resetRules(PHONE);
    }
  });

  test('190 bad token → auth_revoked; the token never appears in the failure', async () => {
    const bad: ChannelAccount = { ...h.accounts.whatsapp, accessToken: 'EAAB-not-a-real-token' };
    const failure = failureOfResult(
      await h.providers.whatsapp.send(bad, '5511999990001', { type: 'text', text: 'hi' }),
    );
    assert.equal(failure.code, 190);
    assert.equal(failure.class, 'auth_revoked');
    assert.ok(!JSON.stringify(failure).includes('EAAB-not-a-real-token'));
  });

  test('template errors: 132001 unknown template, 132000 parameter count → template_error', async () => {
    const c = await chattingCustomer();
    const unknown = failureOfResult(
      await h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, {
        type: 'template',
        template: { name: 'no_such_template', language: 'en_US' },
      }),
    );
    assert.equal(unknown.code, 132001);
    assert.equal(unknown.class, 'template_error');
    const count = failureOfResult(
      await h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, {
        type: 'template',
        template: {
          name: 'order_update',
          language: 'en_US',
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'only one' }] }],
        },
      }),
    );
    assert.equal(count.code, 132000);
    assert.equal(count.class, 'template_error');
  });

  test('131009 unknown media id → invalid_request', async () => {
    const c = await chattingCustomer();
    const failure = failureOfResult(
      await h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, {
        type: 'image',
        media: { providerMediaId: '999' },
      }),
    );
    assert.equal(failure.code, 131009);
    assert.equal(failure.class, 'invalid_request');
  });
});

describe('markRead, fetchMedia, checkHealth', () => {
  test('markRead marks the inbound message read; a bad wamid → 131009 invalid_request', async () => {
    const c = await chattingCustomer();
    const result = await h.providers.whatsapp.markRead(h.accounts.whatsapp, {
      providerMessageId: c.lastInbound,
      customerExternalId: c.waId,
      typingIndicator: true,
    });
    assert.deepEqual(result, { ok: true });
    const thread = await h.client.thread(c.id, PHONE);
    assert.equal(thread.messages.find((m) => m.id === c.lastInbound)?.status, 'read');
    assert.equal(thread.typing, true);
    const bad = failureOfResult(
      await h.providers.whatsapp.markRead(h.accounts.whatsapp, {
        providerMessageId: 'wamid.nope',
        customerExternalId: c.waId,
      }),
    );
    assert.equal(bad.code, 131009);
    assert.equal(bad.class, 'invalid_request');
  });

  test('fetchMedia: GET /{media-id}, then the URL with the Bearer token; size limit; bad token', async () => {
    const c = await h.client.createCustomer({ name: 'Pia' });
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('a real-looking jpeg')]);
    const sent = await h.client.customerSends(c.id, PHONE, {
      type: 'image',
      media: { dataBase64: bytes.toString('base64'), mimeType: 'image/jpeg' },
    });
    const event = await h.receiver.waitForEvent(messageWithId(sent.id));
    assert.ok(event.content.type === 'image');
    const media = event.content.media;

    const fetched = await h.providers.whatsapp.fetchMedia(h.accounts.whatsapp, media);
    assert.deepEqual(fetched.bytes, bytes);
    assert.equal(fetched.mimeType, 'image/jpeg');

    // The URL Meta hands out needs the token: without it the simulator refuses the download.
    const lookup = (await (
      await fetch(`${h.sim.graphUrl}/${media.providerMediaId}`, {
        headers: { authorization: `Bearer ${DEMO.accessToken}` },
      })
    ).json()) as { url: string };
    assert.notEqual((await fetch(lookup.url)).status, 200);

    await assert.rejects(
      h.providers.whatsapp.fetchMedia(h.accounts.whatsapp, media, { maxBytes: 5 }),
      (error: unknown) =>
        error instanceof ChannelError &&
        error.failure.code === LOCAL_ERROR_CODES.mediaTooLarge &&
        error.failure.class === 'invalid_request',
    );
    await assert.rejects(
      h.providers.whatsapp.fetchMedia({ ...h.accounts.whatsapp, accessToken: 'wrong-token-123' }, media),
      (error: unknown) =>
        error instanceof ChannelError &&
        error.failure.class === 'auth_revoked' &&
        error.failure.code === 190 &&
        !error.message.includes('wrong-token-123'),
    );
    await assert.rejects(
      h.providers.whatsapp.fetchMedia(h.accounts.whatsapp, { url: 'https://example.com/a.jpg' }),
      (error: unknown) => error instanceof ChannelError && error.failure.class === 'invalid_request',
    );
  });

  test('checkHealth: quality, tier, names with a good token; tokenValid false with a bad one', async () => {
    const good = await h.providers.whatsapp.checkHealth(h.accounts.whatsapp);
    assert.deepEqual(good, {
      tokenValid: true,
      qualityRating: 'GREEN',
      messagingTier: 'TIER_2K',
      displayName: 'Demo Bakery',
      handle: '+1 555-010-0001',
    });
    const bad = await h.providers.whatsapp.checkHealth({ ...h.accounts.whatsapp, accessToken: 'expired' });
    assert.equal(bad.tokenValid, false);
    assert.equal(bad.error?.code, 190);
    const { token } = await h.client.createToken({ businessId: DEMO.businessId, expiresIn: 60 });
    await h.client.expireToken(token);
    const expired = await h.providers.whatsapp.checkHealth({ ...h.accounts.whatsapp, accessToken: token });
    assert.equal(expired.tokenValid, false);
    assert.equal(expired.error?.subcode, 463);
  });
});
