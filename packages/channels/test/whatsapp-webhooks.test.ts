import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '@parley/simulator';
import { verifyMetaSignature, type MessageEvent } from '../src/index.ts';
import {
  accountWhere,
  messageWithId,
  sentId,
  startHarness,
  statusOf,
  statusWhere,
  type Harness,
} from './helpers.ts';

const PHONE = DEMO.phoneNumberId;
let h: Harness;

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

/** A fresh simulated customer (own window, own pair-rate budget). */
async function newCustomer(name = 'Maria Souza') {
  const c = await h.client.createCustomer({ name });
  assert.ok(c.waId);
  return { id: c.id, waId: c.waId };
}

/** The customer sends; resolves with the parsed canonical message event. */
async function inbound(
  customerId: string,
  input: Parameters<Harness['client']['customerSends']>[2],
): Promise<MessageEvent> {
  const sent = await h.client.customerSends(customerId, PHONE, input);
  return h.receiver.waitForEvent(messageWithId(sent.id));
}

describe('inbound WhatsApp messages → canonical events', () => {
  test('text: account, wamid, seconds timestamp, wa_id, E.164 phone, profile name; every body verifies', async () => {
    const before = Date.now();
    const event = await inbound('ana', { type: 'text', text: 'Hola! ¿Tienen pan?' });
    assert.equal(event.channel, 'whatsapp');
    assert.equal(event.accountId, PHONE);
    assert.match(event.providerMessageId, /^wamid\./);
    assert.deepEqual(event.from, {
      externalId: '5511999990001',
      phone: '+5511999990001',
      profileName: 'Ana Ruiz',
    });
    assert.deepEqual(event.content, { type: 'text', text: 'Hola! ¿Tienen pan?' });
    assert.equal(event.timestamp.getTime() % 1000, 0, 'whole seconds');
    assert.ok(Math.abs(event.timestamp.getTime() - before) < 5000);
    assert.equal(event.echo, undefined);
    for (const d of h.receiver.deliveries) assert.ok(verifyMetaSignature(d.raw, d.signature, DEMO.appSecret));
  });

  test('image with caption, video, voice note, document with filename, sticker', async () => {
    const c = await newCustomer();
    const png = Buffer.from('fake image bytes').toString('base64');
    const image = await inbound(c.id, {
      type: 'image',
      text: 'my cake',
      media: { dataBase64: png, mimeType: 'image/jpeg' },
    });
    assert.equal(image.content.type, 'image');
    assert.ok(image.content.type === 'image');
    assert.match(image.content.media.providerMediaId ?? '', /^\d+$/);
    assert.equal(image.content.media.mimeType, 'image/jpeg');
    assert.equal(image.content.media.caption, 'my cake');
    assert.match(image.content.media.sha256 ?? '', /^[0-9a-f]{64}$/);

    const video = await inbound(c.id, { type: 'video', media: { mimeType: 'video/mp4', dataBase64: png } });
    assert.ok(video.content.type === 'video');
    assert.equal(video.content.media.mimeType, 'video/mp4');

    const voice = await inbound(c.id, {
      type: 'audio',
      media: { mimeType: 'audio/ogg', voice: true, dataBase64: png },
    });
    assert.ok(voice.content.type === 'audio');
    assert.equal(voice.content.media.voice, true);

    const doc = await inbound(c.id, {
      type: 'document',
      text: 'invoice',
      media: { mimeType: 'application/pdf', filename: 'invoice.pdf', dataBase64: png },
    });
    assert.ok(doc.content.type === 'document');
    assert.equal(doc.content.media.filename, 'invoice.pdf');
    assert.equal(doc.content.media.caption, 'invoice');

    const sticker = await inbound(c.id, {
      type: 'sticker',
      media: { mimeType: 'image/webp', dataBase64: png },
    });
    assert.ok(sticker.content.type === 'sticker');
    assert.equal(sticker.content.media.mimeType, 'image/webp');
  });

  test('location and contacts', async () => {
    const c = await newCustomer();
    const location = await inbound(c.id, {
      type: 'location',
      location: { latitude: 38.7223, longitude: -9.1393, name: 'Lisboa', address: 'Praça do Comércio' },
    });
    assert.deepEqual(location.content, {
      type: 'location',
      latitude: 38.7223,
      longitude: -9.1393,
      name: 'Lisboa',
      address: 'Praça do Comércio',
    });
    const contacts = await inbound(c.id, {
      type: 'contacts',
      contacts: [{ name: 'João Lima', phone: '+351 912 345 678' }],
    });
    assert.deepEqual(contacts.content, {
      type: 'contacts',
      contacts: [
        {
          name: 'João Lima',
          phones: [{ phone: '+351 912 345 678', waId: '351912345678', type: 'CELL' }],
          emails: [],
        },
      ],
    });
  });

  test('button_reply and list_reply to our interactive messages, with the replied-to wamid', async () => {
    const c = await newCustomer();
    await inbound(c.id, { type: 'text', text: 'menu please' });
    const wa = h.providers.whatsapp;
    const buttons = sentId(
      await wa.send(h.accounts.whatsapp, c.waId, {
        type: 'interactive',
        interactive: {
          kind: 'button',
          body: 'Confirm?',
          buttons: [
            { id: 'yes', title: 'Yes' },
            { id: 'no', title: 'No' },
          ],
        },
      }),
    );
    const list = sentId(
      await wa.send(h.accounts.whatsapp, c.waId, {
        type: 'interactive',
        interactive: {
          kind: 'list',
          body: 'Pick a branch',
          button: 'Branches',
          sections: [{ title: 'North', rows: [{ id: 'br_1', title: 'Downtown', description: 'Open 9-18' }] }],
        },
      }),
    );
    const tap = await inbound(c.id, { type: 'button_reply', replyTo: buttons, buttonId: 'no' });
    assert.deepEqual(tap.content, {
      type: 'interactive_reply',
      kind: 'button_reply',
      replyId: 'no',
      title: 'No',
    });
    assert.equal(tap.replyToProviderMessageId, buttons);
    const pick = await inbound(c.id, { type: 'list_reply', replyTo: list, buttonId: 'br_1' });
    assert.deepEqual(pick.content, {
      type: 'interactive_reply',
      kind: 'list_reply',
      replyId: 'br_1',
      title: 'Downtown',
      description: 'Open 9-18',
    });
    assert.equal(pick.replyToProviderMessageId, list);
  });

  test('template quick-reply tap (type "button") → template_button', async () => {
    const c = await newCustomer();
    const template = sentId(
      await h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, {
        type: 'template',
        template: {
          name: 'weekly_offer',
          language: 'en_US',
          components: [
            { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/p.jpg' } }] },
            {
              type: 'body',
              parameters: [
                { type: 'text', parameter_name: 'first_name', text: 'Maria' },
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
      }),
    );
    const tap = await inbound(c.id, { type: 'button', replyTo: template, buttonId: 'STOP_PROMOS' });
    assert.deepEqual(tap.content, {
      type: 'interactive_reply',
      kind: 'template_button',
      replyId: 'STOP_PROMOS',
      title: 'Stop promotions',
    });
    assert.equal(tap.replyToProviderMessageId, template);
  });

  test('reaction and its removal (no reply context on reactions)', async () => {
    const c = await newCustomer();
    await inbound(c.id, { type: 'text', text: 'hi' });
    const ours = sentId(
      await h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, { type: 'text', text: 'Hello!' }),
    );
    const react = await inbound(c.id, { type: 'reaction', replyTo: ours, emoji: '👍' });
    assert.deepEqual(react.content, { type: 'reaction', targetProviderMessageId: ours, emoji: '👍' });
    assert.equal(react.replyToProviderMessageId, undefined);
    const removed = await inbound(c.id, { type: 'reaction', replyTo: ours, emoji: '' });
    assert.deepEqual(removed.content, { type: 'reaction', targetProviderMessageId: ours, emoji: '' });
  });

  test('unsupported message types keep the reason', async () => {
    const c = await newCustomer();
    const event = await inbound(c.id, { type: 'unsupported' });
    assert.equal(event.content.type, 'unsupported');
    assert.ok(event.content.type === 'unsupported');
    assert.match(event.content.reason, /131051/);
  });

  test('Click-to-WhatsApp referral and quoted replies', async () => {
    const c = await newCustomer();
    const first = await inbound(c.id, {
      type: 'text',
      text: 'I saw your ad',
      referral: { headline: 'Croissants' },
    });
    assert.equal(first.referral?.sourceType, 'ad');
    assert.equal(first.referral?.headline, 'Croissants');
    assert.equal(first.referral?.sourceUrl, 'https://fb.me/3cr4Wqqkv');
    assert.equal(first.referral?.adId, '120210000000000001');
    assert.match(first.referral?.ctwaClid ?? '', /^ARA/);
    assert.equal(first.referral?.mediaUrl, 'https://example.com/ad.jpg');
    const ours = sentId(
      await h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, { type: 'text', text: 'Welcome' }),
    );
    const quoted = await inbound(c.id, { type: 'text', text: 'about that…', replyTo: ours });
    assert.equal(quoted.replyToProviderMessageId, ours);
  });
});

describe('WhatsApp statuses and account events', () => {
  test('sent → delivered → read with callbackData, recipient, pricing', async () => {
    const c = await newCustomer();
    await inbound(c.id, { type: 'text', text: 'hi' });
    const id = sentId(
      await h.providers.whatsapp.send(
        h.accounts.whatsapp,
        c.waId,
        { type: 'text', text: 'Order ready' },
        { callbackData: 'msg-42' },
      ),
    );
    const sent = await h.receiver.waitForEvent(statusOf(id, 'sent'));
    const delivered = await h.receiver.waitForEvent(statusOf(id, 'delivered'));
    const read = await h.receiver.waitForEvent(statusOf(id, 'read'));
    for (const s of [sent, delivered, read]) {
      assert.equal(s.channel, 'whatsapp');
      assert.equal(s.accountId, PHONE);
      assert.equal(s.callbackData, 'msg-42');
      assert.equal(s.recipientExternalId, c.waId);
      assert.equal(s.error, undefined);
    }
    assert.equal(sent.pricing?.model, 'PMP');
    assert.equal(sent.pricing?.type, 'free_customer_service');
  });

  test('free-form outside the window: accepted, then failed 131047 classified window_closed', async () => {
    const c = await newCustomer();
    const result = await h.providers.whatsapp.send(
      h.accounts.whatsapp,
      c.waId,
      { type: 'text', text: 'Are you there?' },
      { callbackData: 'm-1' },
    );
    const id = sentId(result);
    const failed = await h.receiver.waitForEvent(statusOf(id, 'failed'));
    assert.equal(failed.callbackData, 'm-1');
    assert.equal(failed.error?.code, 131047);
    assert.equal(failed.error?.class, 'window_closed');
    assert.match(failed.error?.details ?? '', /24 hours/);
  });

  test('a number not on WhatsApp: failed 131026 classified invalid_recipient', async () => {
    const id = sentId(
      await h.providers.whatsapp.send(h.accounts.whatsapp, '15550199999', {
        type: 'template',
        template: { name: 'hello_world', language: 'en_US' },
      }),
    );
    const failed = await h.receiver.waitForEvent(statusOf(id, 'failed'));
    assert.equal(failed.error?.code, 131026);
    assert.equal(failed.error?.class, 'invalid_recipient');
  });

  test('marketing opt-out: failed 131050 classified opted_out', async () => {
    const c = await newCustomer();
    await h.client.setMarketingOptOut(c.id, PHONE, true);
    const id = sentId(
      await h.providers.whatsapp.send(h.accounts.whatsapp, c.waId, {
        type: 'template',
        template: {
          name: 'weekly_offer',
          language: 'en_US',
          components: [
            { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/p.jpg' } }] },
            {
              type: 'body',
              parameters: [
                { type: 'text', parameter_name: 'first_name', text: 'M' },
                { type: 'text', parameter_name: 'offer', text: 'O' },
              ],
            },
          ],
        },
      }),
    );
    const failed = await h.receiver.waitForEvent(
      statusWhere((s) => s.providerMessageId === id && s.status === 'failed'),
    );
    assert.equal(failed.error?.code, 131050);
    assert.equal(failed.error?.class, 'opted_out');
  });

  test('template status, phone quality and messaging-limit updates → account events', async () => {
    await h.client.setTemplateStatus('hello_world', 'PAUSED');
    await h.client.setTemplateStatus('hello_world', 'APPROVED');
    const paused = await h.receiver.waitForEvent(
      accountWhere((a) => a.field === 'message_template_status_update' && a.data.event === 'PAUSED'),
    );
    assert.equal(paused.channel, 'whatsapp');
    assert.equal(paused.accountId, DEMO.wabaId);
    assert.equal(paused.data.message_template_name, 'hello_world');
    assert.ok(paused.timestamp instanceof Date && !Number.isNaN(paused.timestamp.getTime()));

    await h.client.patchPhoneNumber(PHONE, { qualityRating: 'YELLOW' });
    await h.client.patchPhoneNumber(PHONE, { qualityRating: 'GREEN' });
    const quality = await h.receiver.waitForEvent(
      accountWhere((a) => a.field === 'phone_number_quality_update'),
    );
    assert.equal(quality.accountId, DEMO.wabaId);
    assert.equal(quality.data.display_phone_number, DEMO.displayPhoneNumber);

    await h.client.setMessagingLimit(DEMO.businessId, 10000);
    const capability = await h.receiver.waitForEvent(
      accountWhere((a) => a.field === 'business_capability_update'),
    );
    assert.equal(capability.data.max_daily_conversations_per_business, 10000);
    await h.client.setMessagingLimit(DEMO.businessId, 2000);
  });

  test('nothing the simulator sent was left unparsed', async () => {
    await h.client.waitIdle();
    assert.deepEqual(h.receiver.problems(), []);
  });
});
