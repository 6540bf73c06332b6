import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, deriveScopedId } from '@parley/simulator';
import type { MessageJson } from '@parley/testing/simulator-client';
import { ChannelError, createProviders, LOCAL_ERROR_CODES, type MessageContent } from '../src/index.ts';
import { failureOfResult, messageWithId, sentId, startHarness, type Harness } from './helpers.ts';

let h: Harness;

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const CHANNELS = ['messenger', 'instagram'] as const;
type PageChannel = (typeof CHANNELS)[number];
const ACCOUNT: Record<PageChannel, string> = { messenger: DEMO.pageId, instagram: DEMO.instagramId };

/** A fresh customer who has just written to the page / IG account; returns their scoped id. */
async function chattingCustomer(channel: PageChannel) {
  const c = await h.client.createCustomer({ name: 'Kim' });
  const inbound = await h.client.customerSends(c.id, ACCOUNT[channel], { type: 'text', text: 'hello' });
  const scopedId = deriveScopedId(channel === 'messenger' ? 'psid' : 'igsid', ACCOUNT[channel], c.id);
  return { id: c.id, scopedId, lastInbound: inbound.id };
}

async function ourMessage(channel: PageChannel, customerId: string, id: string): Promise<MessageJson> {
  const thread = await h.client.thread(customerId, ACCOUNT[channel]);
  const message = thread.messages.find((m) => m.id === id);
  assert.ok(message, `message ${id} is in the thread`);
  assert.equal(message.direction, 'out');
  return message;
}

for (const channel of CHANNELS) {
  describe(`${channel} send`, () => {
    test('text and media attachments (url and attachment_id; file for documents)', async () => {
      const c = await chattingCustomer(channel);
      const send = (content: MessageContent) =>
        h.providers[channel].send(h.accounts[channel], c.scopedId, content);
      const text = sentId(await send({ type: 'text', text: 'Hi from the bakery 🥐' }));
      assert.match(text, /^m_/);
      assert.equal((await ourMessage(channel, c.id, text)).view.text, 'Hi from the bakery 🥐');
      for (const type of ['image', 'video', 'audio', 'document'] as const) {
        const id = sentId(await send({ type, media: { url: `https://example.com/f.${type}` } }));
        const view = (await ourMessage(channel, c.id, id)).view;
        assert.equal(view.kind, 'media');
        assert.equal(view.media?.type, type);
        assert.equal(view.media?.url, `https://example.com/f.${type}`);
      }
      const reused = sentId(await send({ type: 'image', media: { providerMediaId: '1234567' } }));
      assert.equal((await ourMessage(channel, c.id, reused)).view.media?.url, 'attachment:1234567');
      const sticker = sentId(await send({ type: 'sticker', media: { url: 'https://example.com/s.png' } }));
      assert.equal((await ourMessage(channel, c.id, sticker)).view.media?.type, 'image');
    });

    test('buttons and lists become quick replies; header and footer join the text', async () => {
      const c = await chattingCustomer(channel);
      const send = (content: MessageContent) =>
        h.providers[channel].send(h.accounts[channel], c.scopedId, content);
      const buttons = sentId(
        await send({
          type: 'interactive',
          interactive: {
            kind: 'button',
            header: 'Order',
            body: 'Pickup or delivery?',
            footer: 'Demo Bakery',
            buttons: [
              { id: 'PICKUP', title: 'Pickup' },
              { id: 'DELIVERY', title: 'Delivery' },
            ],
          },
        }),
      );
      const view = (await ourMessage(channel, c.id, buttons)).view;
      assert.equal(view.text, 'Order\n\nPickup or delivery?\n\nDemo Bakery');
      assert.deepEqual(view.buttons, [
        { id: 'PICKUP', title: 'Pickup', kind: 'quick_reply' },
        { id: 'DELIVERY', title: 'Delivery', kind: 'quick_reply' },
      ]);
      const list = sentId(
        await send({
          type: 'interactive',
          interactive: {
            kind: 'list',
            body: 'Pick a branch',
            button: 'Branches',
            sections: [
              { title: 'North', rows: [{ id: 'n1', title: 'Downtown', description: 'dropped' }] },
              { title: 'South', rows: [{ id: 's1', title: 'Harbour' }] },
            ],
          },
        }),
      );
      assert.deepEqual(
        (await ourMessage(channel, c.id, list)).view.buttons?.map((b) => b.id),
        ['n1', 's1'],
      );
    });

    test('reaction (sender_action react / unreact)', async () => {
      const c = await chattingCustomer(channel);
      const react = sentId(
        await h.providers[channel].send(h.accounts[channel], c.scopedId, {
          type: 'reaction',
          targetProviderMessageId: c.lastInbound,
          emoji: '❤',
        }),
      );
      assert.match(react, /^reaction:/);
      const thread = await h.client.thread(c.id, ACCOUNT[channel]);
      assert.deepEqual(thread.messages.at(-1)?.view.reaction, { messageId: c.lastInbound, emoji: '❤' });
      sentId(
        await h.providers[channel].send(h.accounts[channel], c.scopedId, {
          type: 'reaction',
          targetProviderMessageId: c.lastInbound,
          emoji: '',
        }),
      );
      const after = await h.client.thread(c.id, ACCOUNT[channel]);
      assert.deepEqual(after.messages.at(-1)?.view.reaction, { messageId: c.lastInbound, emoji: '' });
    });

    test('content the channel cannot send is refused before any request', async () => {
      let calls = 0;
      const counting = createProviders({
        ...h.graph,
        fetch: (input, init) => {
          calls += 1;
          return fetch(input, init);
        },
      })[channel];
      const refused: MessageContent[] = [
        { type: 'template', template: { name: 'hello_world', language: 'en_US' } },
        { type: 'location', latitude: 1, longitude: 2 },
        { type: 'contacts', contacts: [{ name: 'A', phones: [], emails: [] }] },
        { type: 'image', media: { url: 'https://example.com/a.jpg', caption: 'captions are not supported' } },
        { type: 'text', text: 'x'.repeat(2001) },
        {
          type: 'interactive',
          interactive: {
            kind: 'list',
            body: 'Fourteen',
            button: 'Pick',
            sections: [{ rows: Array.from({ length: 14 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` })) }],
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
        { type: 'interactive_reply', kind: 'quick_reply', replyId: 'a', title: 'A' },
      ];
      for (const content of refused) {
        const failure = failureOfResult(await counting.send(h.accounts[channel], '123', content));
        assert.equal(failure.class, 'invalid_request', content.type);
        assert.equal(failure.code, LOCAL_ERROR_CODES.invalidContent);
      }
      assert.equal(calls, 0);
    });

    test('an id scoped to another account → 100/2018001 invalid_recipient', async () => {
      const foreign = deriveScopedId(
        channel === 'messenger' ? 'psid' : 'igsid',
        channel === 'messenger' ? '500000000000999' : '17841400000000999',
        'ana',
      );
      const failure = failureOfResult(
        await h.providers[channel].send(h.accounts[channel], foreign, { type: 'text', text: 'hi' }),
      );
      assert.equal(failure.code, 100);
      assert.equal(failure.subcode, 2018001);
      assert.equal(failure.class, 'invalid_recipient');
      // The customer's id on the other channel is foreign here too.
      const other = deriveScopedId(channel === 'messenger' ? 'igsid' : 'psid', DEMO.instagramId, 'ana');
      const crossed = failureOfResult(
        await h.providers[channel].send(h.accounts[channel], other, { type: 'text', text: 'hi' }),
      );
      assert.equal(crossed.class, 'invalid_recipient');
    });

    test('markRead sends mark_seen', async () => {
      const c = await chattingCustomer(channel);
      const result = await h.providers[channel].markRead(h.accounts[channel], {
        providerMessageId: c.lastInbound,
        customerExternalId: c.scopedId,
      });
      assert.deepEqual(result, { ok: true });
      const thread = await h.client.thread(c.id, ACCOUNT[channel]);
      assert.equal(thread.messages.find((m) => m.id === c.lastInbound)?.status, 'read');
    });

    test('fetchMedia downloads the CDN url without sending the token; size limit; tampered url', async () => {
      const seen: (string | null)[] = [];
      const spying = createProviders({
        ...h.graph,
        fetch: (input, init) => {
          seen.push(new Headers(init?.headers).get('authorization'));
          return fetch(input, init);
        },
      })[channel];
      const c = await h.client.createCustomer({ name: 'Mo' });
      const bytes = Buffer.from('GIF89a some picture bytes');
      const sent = await h.client.customerSends(c.id, ACCOUNT[channel], {
        type: 'image',
        media: { dataBase64: bytes.toString('base64'), mimeType: 'image/gif', filename: 'pic.gif' },
      });
      const event = await h.receiver.waitForEvent(messageWithId(sent.id));
      assert.ok(event.content.type === 'image');
      const media = event.content.media;
      const fetched = await spying.fetchMedia(h.accounts[channel], media);
      assert.deepEqual(fetched.bytes, bytes);
      assert.equal(fetched.mimeType, 'image/gif');
      assert.deepEqual(seen, [null], 'one request, no Authorization header');

      await assert.rejects(
        spying.fetchMedia(h.accounts[channel], media, { maxBytes: 4 }),
        (e: unknown) => e instanceof ChannelError && e.failure.code === LOCAL_ERROR_CODES.mediaTooLarge,
      );
      const tampered = new URL(media.url ?? '');
      tampered.searchParams.set('oh', '0'.repeat(32));
      await assert.rejects(
        spying.fetchMedia(h.accounts[channel], { url: tampered.toString() }),
        (e: unknown) =>
          e instanceof ChannelError && e.failure.httpStatus === 403 && !e.message.includes('oh='),
      );
      await assert.rejects(
        spying.fetchMedia(h.accounts[channel], { providerMediaId: '1' }),
        (e: unknown) => e instanceof ChannelError && e.failure.class === 'invalid_request',
      );
    });

    test('checkHealth: name (and username); a bad token → tokenValid false', async () => {
      const good = await h.providers[channel].checkHealth(h.accounts[channel]);
      assert.deepEqual(
        good,
        channel === 'messenger'
          ? { tokenValid: true, displayName: 'Demo Bakery' }
          : { tokenValid: true, displayName: 'Demo Bakery', handle: 'demo.bakery' },
      );
      const bad = await h.providers[channel].checkHealth({ ...h.accounts[channel], accessToken: 'nope' });
      assert.equal(bad.tokenValid, false);
      assert.equal(bad.error?.code, 190);
      assert.equal(bad.error?.class, 'auth_revoked');
    });
  });
}
