import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMetaWebhook, waIdToE164, type CanonicalEvent, type ParsedWebhook } from '../src/index.ts';

/** Shapes the simulator does not produce: written from the reference (§2.3–2.5, §3.2). */
const wa = (value: Record<string, unknown>, field = 'messages') => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '300', changes: [{ field, value }] }],
});
const metadata = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };

function only(parsed: ParsedWebhook): CanonicalEvent {
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.events.length, 1);
  const [event] = parsed.events;
  assert.ok(event);
  return event;
}

describe('WhatsApp edge cases', () => {
  test('system errors (value.errors[]) → account events with the classification', () => {
    const event = only(
      parseMetaWebhook(
        wa({
          messaging_product: 'whatsapp',
          metadata,
          errors: [{ code: 130429, title: 'Rate limit hit', message: 'Rate limit hit' }],
        }),
      ),
    );
    assert.equal(event.type, 'account');
    assert.ok(event.type === 'account');
    assert.equal(event.accountId, '106540352242922');
    assert.equal(event.field, 'errors');
    assert.equal(event.data.code, 130429);
    assert.deepEqual(event.data.failure, {
      class: 'rate_limited',
      code: 130429,
      title: 'Rate limit hit',
      retryAfterMs: 1000,
    });
  });

  test('several entries, changes, messages and statuses in one body; played → read', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '300',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata,
                contacts: [
                  { profile: { name: 'A' }, wa_id: '16505551234' },
                  { profile: { name: 'B' }, wa_id: '5511999990001' },
                ],
                messages: [
                  {
                    from: '16505551234',
                    id: 'wamid.1',
                    timestamp: '1749416383',
                    type: 'text',
                    text: { body: 'one' },
                  },
                  {
                    from: '5511999990001',
                    id: 'wamid.2',
                    timestamp: '1749416384',
                    type: 'text',
                    text: { body: 'two' },
                  },
                ],
              },
            },
          ],
        },
        {
          id: '300',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata,
                statuses: [
                  { id: 'wamid.9', status: 'played', timestamp: '1749416390', recipient_id: '16505551234' },
                  {
                    id: 'wamid.8',
                    status: 'failed',
                    timestamp: 1749416391,
                    errors: [{ code: 131026, title: 'x' }],
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    const parsed = parseMetaWebhook(body);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.events.map((e) => (e.type === 'message' ? [e.providerMessageId, e.from.profileName] : [e.type])),
      [['wamid.1', 'A'], ['wamid.2', 'B'], ['status'], ['status']],
    );
    const [, , played, failed] = parsed.events;
    assert.ok(played?.type === 'status' && failed?.type === 'status');
    assert.equal(played.status, 'read');
    assert.equal(played.timestamp.toISOString(), '2025-06-08T20:59:50.000Z');
    assert.equal(failed.error?.class, 'invalid_recipient');
  });

  test('Flow replies and unknown types stay messages with unsupported content', () => {
    const parsed = parseMetaWebhook(
      wa({
        messaging_product: 'whatsapp',
        metadata,
        messages: [
          {
            from: '16505551234',
            id: 'wamid.f',
            timestamp: '1749416383',
            type: 'interactive',
            interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{}' } },
          },
          { from: '16505551234', id: 'wamid.o', timestamp: '1749416383', type: 'order', order: {} },
        ],
      }),
    );
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.events.map((e) => e.type === 'message' && e.content.type),
      ['unsupported', 'unsupported'],
    );
  });

  test('malformed parts become problems with paths; the good parts survive', () => {
    const parsed = parseMetaWebhook({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '300',
          changes: [
            {
              field: 'messages',
              value: {
                metadata,
                messages: [
                  {
                    from: '1',
                    id: 'wamid.ok',
                    timestamp: '1749416383',
                    type: 'text',
                    text: { body: 'fine' },
                  },
                  { id: 'wamid.nofrom', timestamp: '1749416383', type: 'text', text: { body: 'x' } },
                  {
                    from: '1',
                    id: 'wamid.badtime',
                    timestamp: 'yesterday',
                    type: 'text',
                    text: { body: 'x' },
                  },
                  { from: '1', id: 'wamid.nobody', timestamp: '1749416383', type: 'text', text: {} },
                  'not an object',
                ],
                statuses: [{ id: 'wamid.s', status: 'deleted', timestamp: '1749416383' }],
              },
            },
            { field: 'messages', value: { messages: [] } },
            { field: 'calls', value: {} },
            { field: 42 },
          ],
        },
        'junk',
      ],
    });
    assert.deepEqual(
      parsed.events.map((e) => e.type === 'message' && e.providerMessageId),
      ['wamid.ok'],
    );
    assert.deepEqual(
      parsed.problems.map((p) => p.path),
      [
        'entry[0].changes[0].value.messages[1]',
        'entry[0].changes[0].value.messages[2].timestamp',
        'entry[0].changes[0].value.messages[3]',
        'entry[0].changes[0].value.messages[4]',
        'entry[0].changes[0].value.statuses[0].status',
        'entry[0].changes[1].value.metadata.phone_number_id',
        'entry[0].changes[2].field',
        'entry[0].changes[3]',
        'entry[1]',
      ],
    );
  });

  test('wa_id → E.164: possible numbers, the Mexican 521 prefix, nonsense', () => {
    assert.equal(waIdToE164('16505551234'), '+16505551234');
    assert.equal(waIdToE164('5215512345678'), '+525512345678');
    assert.equal(waIdToE164('12'), undefined);
    assert.equal(waIdToE164('abc'), undefined);
  });
});

describe('Messenger / Instagram edge cases', () => {
  const page = (messaging: unknown[]) => ({
    object: 'page',
    entry: [{ id: '500', time: 1767225600123, messaging }],
  });
  const who = { sender: { id: '6001' }, recipient: { id: '500' }, timestamp: 1767225600000 };

  test('several attachments share a mid: the later ones get a stable suffix; text joins the first as caption', () => {
    const parsed = parseMetaWebhook(
      page([
        {
          ...who,
          message: {
            mid: 'm_1',
            text: 'two pics',
            attachments: [
              { type: 'image', payload: { url: 'https://cdn.example/a.jpg' } },
              { type: 'image', payload: { url: 'https://cdn.example/b.jpg', sticker_id: 369239263222822 } },
              { type: 'location', payload: { coordinates: { lat: 1.5, long: 2.5 } }, title: 'Here' },
              { type: 'story_mention', payload: { url: 'https://cdn.example/s' } },
            ],
          },
        },
      ]),
    );
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.events.map((e) => e.type === 'message' && [e.providerMessageId, e.content]),
      [
        ['m_1', { type: 'image', media: { url: 'https://cdn.example/a.jpg', caption: 'two pics' } }],
        ['m_1#1', { type: 'sticker', media: { url: 'https://cdn.example/b.jpg' } }],
        ['m_1#2', { type: 'location', latitude: 1.5, longitude: 2.5, name: 'Here' }],
        ['m_1#3', { type: 'unsupported', reason: 'attachment type "story_mention" is not supported' }],
      ],
    );
  });

  test('postback without mid, reaction by name, delivery without mids, unknown events', () => {
    const parsed = parseMetaWebhook(
      page([
        { ...who, postback: { title: 'Get Started', payload: 'GET_STARTED' } },
        { ...who, reaction: { mid: 'm_9', action: 'react', reaction: 'love' } },
        { ...who, delivery: { watermark: 1767225600500 } },
        { ...who, optin: { ref: 'x' } },
        { sender: { id: '6001' }, message: { mid: 'm_2', text: 'no recipient' } },
      ]),
    );
    const [postback, reaction, delivery] = parsed.events;
    assert.ok(postback?.type === 'message' && reaction?.type === 'message' && delivery?.type === 'watermark');
    assert.equal(postback.providerMessageId, 'postback:6001:1767225600000');
    assert.deepEqual(postback.content, {
      type: 'interactive_reply',
      kind: 'postback',
      replyId: 'GET_STARTED',
      title: 'Get Started',
    });
    assert.deepEqual(reaction.content, { type: 'reaction', targetProviderMessageId: 'm_9', emoji: '\u2764' });
    assert.equal(delivery.watermark.getTime(), 1767225600500);
    assert.equal(delivery.providerMessageIds, undefined);
    assert.deepEqual(
      parsed.problems.map((p) => p.path),
      ['entry[0].messaging[3]', 'entry[0].messaging[4]'],
    );
  });

  test('page leadgen changes → account events; standby and unknown objects → problems', () => {
    const lead = parseMetaWebhook({
      object: 'page',
      entry: [
        {
          id: '153125381133',
          time: 1438292065,
          changes: [{ field: 'leadgen', value: { leadgen_id: '444' } }],
        },
      ],
    });
    const event = only(lead);
    assert.ok(event.type === 'account');
    assert.equal(event.channel, 'messenger');
    assert.equal(event.field, 'leadgen');
    assert.equal(event.timestamp.getTime(), 1438292065000);
    const standby = parseMetaWebhook({ object: 'instagram', entry: [{ id: '1', time: 1, standby: [{}] }] });
    assert.deepEqual(standby.events, []);
    assert.equal(standby.problems[0]?.path, 'entry[0].standby');
    assert.deepEqual(parseMetaWebhook({ object: 'user', entry: [] }).problems, [
      { path: 'object', reason: 'unsupported object "user"' },
    ]);
  });
});

describe('any input', () => {
  test('raw bytes and text are accepted; non-JSON and non-objects are problems', () => {
    const body = JSON.stringify(page0());
    assert.equal(parseMetaWebhook(Buffer.from(body)).events.length, 1);
    assert.equal(parseMetaWebhook(body).events.length, 1);
    for (const input of ['{', Buffer.from('\u0000'), 42, null, undefined, [], 'null']) {
      const parsed = parseMetaWebhook(input);
      assert.deepEqual(parsed.events, []);
      assert.equal(parsed.problems.length, 1);
    }
  });

  test('property: never throws on arbitrary JSON, and every event is well-formed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        checkWellFormed(parseMetaWebhook(value));
      }),
      { numRuns: 500 },
    );
  });

  test('property: never throws on arbitrary values inside realistic envelopes', () => {
    const anything = fc.jsonValue({ maxDepth: 3 });
    const idLike = fc.oneof(fc.constantFrom('1', '106540352242922', ''), fc.integer(), anything);
    const waMessage = fc.record(
      {
        from: idLike,
        id: idLike,
        timestamp: fc.oneof(fc.constantFrom('1749416383', '0', '-5', '1e30'), fc.integer(), anything),
        type: fc.oneof(
          fc.constantFrom(
            'text',
            'image',
            'audio',
            'document',
            'sticker',
            'video',
            'location',
            'contacts',
            'interactive',
            'button',
            'reaction',
            'unsupported',
            'order',
          ),
          anything,
        ),
        text: anything,
        image: anything,
        audio: anything,
        location: anything,
        contacts: anything,
        interactive: anything,
        button: anything,
        reaction: anything,
        context: anything,
        referral: anything,
        errors: anything,
      },
      { requiredKeys: [] },
    );
    const waBody = fc.record({
      object: fc.constant('whatsapp_business_account'),
      entry: fc.array(
        fc.record({
          id: idLike,
          time: anything,
          changes: fc.array(
            fc.record({
              field: fc.oneof(fc.constantFrom('messages', 'account_update', 'calls'), anything),
              value: fc.record(
                {
                  metadata: fc.oneof(fc.constant(metadata), anything),
                  contacts: anything,
                  messages: fc.oneof(fc.array(waMessage, { maxLength: 3 }), anything),
                  statuses: fc.oneof(
                    fc.array(
                      fc.record(
                        {
                          id: idLike,
                          status: fc.oneof(fc.constantFrom('sent', 'failed', 'played'), anything),
                          timestamp: anything,
                          errors: anything,
                          pricing: anything,
                        },
                        { requiredKeys: [] },
                      ),
                      { maxLength: 3 },
                    ),
                    anything,
                  ),
                  errors: anything,
                },
                { requiredKeys: [] },
              ),
            }),
            { maxLength: 3 },
          ),
        }),
        { maxLength: 3 },
      ),
    });
    const messagingEvent = fc.record(
      {
        sender: fc.oneof(fc.record({ id: idLike }), anything),
        recipient: fc.oneof(fc.record({ id: idLike }), anything),
        timestamp: fc.oneof(fc.constant(1767225600000), fc.integer(), anything),
        message: anything,
        postback: anything,
        reaction: anything,
        read: anything,
        delivery: anything,
      },
      { requiredKeys: [] },
    );
    const pageBody = fc.record({
      object: fc.constantFrom('page', 'instagram'),
      entry: fc.array(
        fc.record(
          {
            id: idLike,
            time: anything,
            messaging: fc.oneof(fc.array(messagingEvent, { maxLength: 3 }), anything),
            changes: anything,
            standby: anything,
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(fc.oneof(waBody, pageBody), (body) => {
        checkWellFormed(parseMetaWebhook(body));
      }),
      { numRuns: 1000 },
    );
  });
});

function page0() {
  return {
    object: 'page',
    entry: [
      {
        id: '500',
        time: 1767225600123,
        messaging: [
          {
            sender: { id: '1' },
            recipient: { id: '500' },
            timestamp: 1767225600000,
            message: { mid: 'm', text: 'x' },
          },
        ],
      },
    ],
  };
}

function checkWellFormed(parsed: ParsedWebhook): void {
  assert.ok(Array.isArray(parsed.events) && Array.isArray(parsed.problems));
  for (const problem of parsed.problems) assert.equal(typeof problem.reason, 'string');
  for (const event of parsed.events) {
    assert.ok(typeof event.accountId === 'string' && event.accountId.length > 0);
    const time = event.type === 'watermark' ? event.watermark : event.timestamp;
    assert.ok(time instanceof Date && !Number.isNaN(time.getTime()));
    if (event.type === 'message' || event.type === 'status') {
      assert.ok(typeof event.providerMessageId === 'string' && event.providerMessageId.length > 0);
    }
    if (event.type === 'message') assert.ok(event.from.externalId.length > 0);
  }
}
