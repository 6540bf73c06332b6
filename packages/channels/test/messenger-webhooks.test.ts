import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, deriveScopedId } from '@parley/simulator';
import { verifyMetaSignature, type ChannelKind, type MessageEvent } from '../src/index.ts';
import {
  messageWhere,
  messageWithId,
  sentId,
  startHarness,
  watermarkWhere,
  type Harness,
} from './helpers.ts';

let h: Harness;

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

type PageChannel = Extract<ChannelKind, 'messenger' | 'instagram'>;
const ACCOUNT: Record<PageChannel, string> = { messenger: DEMO.pageId, instagram: DEMO.instagramId };

/** The customer's page-scoped id: PSID on the page, IGSID on the Instagram account. */
function scoped(channel: PageChannel, customerId: string): string {
  return deriveScopedId(channel === 'messenger' ? 'psid' : 'igsid', ACCOUNT[channel], customerId);
}

async function inbound(
  channel: PageChannel,
  customerId: string,
  input: Parameters<Harness['client']['customerSends']>[2],
): Promise<MessageEvent> {
  const sent = await h.client.customerSends(customerId, ACCOUNT[channel], input);
  return h.receiver.waitForEvent(messageWithId(sent.id));
}

for (const channel of ['messenger', 'instagram'] as const) {
  describe(`${channel} messaging[] → canonical events`, () => {
    test('text: account id, scoped sender id, millisecond timestamp', async () => {
      const c = await h.client.createCustomer({ name: 'Lea' });
      const before = Date.now();
      const event = await inbound(channel, c.id, { type: 'text', text: `hello ${channel} ✨` });
      assert.equal(event.channel, channel);
      assert.equal(event.accountId, ACCOUNT[channel]);
      assert.deepEqual(event.from, { externalId: scoped(channel, c.id) });
      assert.deepEqual(event.content, { type: 'text', text: `hello ${channel} ✨` });
      assert.match(event.providerMessageId, /^m_/);
      assert.ok(Math.abs(event.timestamp.getTime() - before) < 5000);
    });

    test('our quick replies, the customer taps one → quick_reply', async () => {
      const c = await h.client.createCustomer({ name: 'Quinn' });
      await inbound(channel, c.id, { type: 'text', text: 'options?' });
      const ours = sentId(
        await h.providers[channel].send(h.accounts[channel], scoped(channel, c.id), {
          type: 'interactive',
          interactive: {
            kind: 'button',
            body: 'Pickup or delivery?',
            buttons: [
              { id: 'PICKUP', title: 'Pickup' },
              { id: 'DELIVERY', title: 'Delivery' },
            ],
          },
        }),
      );
      const tap = await inbound(channel, c.id, { type: 'button_reply', replyTo: ours, buttonId: 'DELIVERY' });
      assert.deepEqual(tap.content, {
        type: 'interactive_reply',
        kind: 'quick_reply',
        replyId: 'DELIVERY',
        title: 'Delivery',
      });
    });

    test('attachments: image (with text as caption) and file → document, CDN urls', async () => {
      const c = await h.client.createCustomer({ name: 'Ava' });
      const bytes = Buffer.from('a photo').toString('base64');
      const image = await inbound(channel, c.id, {
        type: 'image',
        text: 'look',
        media: { dataBase64: bytes, mimeType: 'image/jpeg', filename: 'cake.jpg' },
      });
      assert.ok(image.content.type === 'image', JSON.stringify(image.content));
      assert.match(image.content.media.url ?? '', /\/_cdn\/\d+\/cake\.jpg\?oe=/);
      assert.equal(image.content.media.caption, 'look');
      const file = await inbound(channel, c.id, {
        type: 'document',
        media: { dataBase64: bytes, mimeType: 'application/pdf', filename: 'menu.pdf' },
      });
      assert.ok(file.content.type === 'document', JSON.stringify(file.content));
      assert.match(file.content.media.url ?? '', /menu\.pdf/);
    });

    test('reaction to our message and its removal', async () => {
      const c = await h.client.createCustomer({ name: 'Rui' });
      await inbound(channel, c.id, { type: 'text', text: 'hey' });
      const ours = sentId(
        await h.providers[channel].send(h.accounts[channel], scoped(channel, c.id), {
          type: 'text',
          text: 'Hi!',
        }),
      );
      // Page reactions have no mid of their own: wait for the reaction content itself.
      const reactionTo = (emoji: string) =>
        messageWhere(
          (m) =>
            m.content.type === 'reaction' &&
            m.content.targetProviderMessageId === ours &&
            m.content.emoji === emoji,
        );
      await h.client.customerSends(c.id, ACCOUNT[channel], { type: 'reaction', replyTo: ours, emoji: '❤' });
      const reacted = await h.receiver.waitForEvent(reactionTo('❤'));
      assert.match(reacted.providerMessageId, /^reaction:/);
      assert.deepEqual(reacted.from, { externalId: scoped(channel, c.id) });
      await h.client.customerSends(c.id, ACCOUNT[channel], { type: 'reaction', replyTo: ours, emoji: '' });
      const removed = await h.receiver.waitForEvent(reactionTo(''));
      assert.notEqual(removed.providerMessageId, reacted.providerMessageId);
    });

    test('our send comes back as an echo (from = the customer), then delivery and read', async () => {
      const c = await h.client.createCustomer({ name: 'Eli' });
      const id = scoped(channel, c.id);
      await inbound(channel, c.id, { type: 'text', text: 'hello' });
      const ours = sentId(
        await h.providers[channel].send(h.accounts[channel], id, { type: 'text', text: 'Echo me' }),
      );
      const echo = await h.receiver.waitForEvent(messageWithId(ours));
      assert.equal(echo.echo, true);
      assert.deepEqual(echo.from, { externalId: id });
      assert.equal(echo.echoAppId, DEMO.appId);
      assert.deepEqual(echo.content, { type: 'text', text: 'Echo me' });

      const read = await h.receiver.waitForEvent(
        watermarkWhere((w) => w.recipientExternalId === id && w.status === 'read'),
      );
      assert.equal(read.channel, channel);
      assert.equal(read.accountId, ACCOUNT[channel]);
      if (channel === 'messenger') {
        assert.ok(read.watermark.getTime() >= echo.timestamp.getTime());
        const delivered = await h.receiver.waitForEvent(
          watermarkWhere((w) => w.recipientExternalId === id && w.status === 'delivered'),
        );
        assert.deepEqual(delivered.providerMessageIds, [ours]);
      } else {
        // Instagram reads name the last message seen (`read.mid`).
        assert.deepEqual(read.providerMessageIds, [ours]);
      }
    });

    test('ad referral on the first message', async () => {
      const c = await h.client.createCustomer({ name: 'Ada' });
      const event = await inbound(channel, c.id, {
        type: 'text',
        text: 'from the ad',
        referral: { ref: 'spring' },
      });
      assert.deepEqual(event.referral, { ref: 'spring', sourceType: 'ADS', adId: '120210000000000001' });
    });
  });
}

test('Messenger postback from a button template', async () => {
  const c = await h.client.createCustomer({ name: 'Pat' });
  await inbound('messenger', c.id, { type: 'text', text: 'hi' });
  const response = await fetch(`${h.sim.graphUrl}/${DEMO.pageId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO.pageAccessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      recipient: { id: scoped('messenger', c.id) },
      messaging_type: 'RESPONSE',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: 'Need help?',
            buttons: [{ type: 'postback', title: 'Talk to us', payload: 'HUMAN' }],
          },
        },
      },
    }),
  });
  const sent = (await response.json()) as { message_id: string };
  const tap = await h.client.customerSends(c.id, DEMO.pageId, {
    type: 'button',
    replyTo: sent.message_id,
    buttonId: 'HUMAN',
  });
  const event = await h.receiver.waitForEvent(messageWithId(tap.id));
  assert.deepEqual(event.content, {
    type: 'interactive_reply',
    kind: 'postback',
    replyId: 'HUMAN',
    title: 'Talk to us',
  });
  assert.deepEqual(event.from, { externalId: scoped('messenger', c.id) });
  // The template's own echo is understood too (as unsupported content, nothing lost).
  const echo = await h.receiver.waitForEvent(messageWithId(sent.message_id));
  assert.equal(echo.echo, true);
  assert.equal(echo.content.type, 'unsupported');
});

test('every delivery verifies and nothing was left unparsed', async () => {
  await h.client.waitIdle();
  for (const d of h.receiver.deliveries) assert.ok(verifyMetaSignature(d.raw, d.signature, DEMO.appSecret));
  assert.deepEqual(h.receiver.problems(), []);
  assert.ok(h.receiver.events().some(messageWhere((m) => m.channel === 'instagram' && m.echo === true)));
});
