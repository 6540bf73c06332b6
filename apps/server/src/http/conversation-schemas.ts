import { Type } from 'typebox';
import { CONVERSATION_STATUSES } from '@parley/core';
import { NullableTimestamp, strict, Timestamp, Uuid } from './schemas.ts';

/** API shapes of the conversations context (channels, conversations, messages, contacts). */
const Str = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max });

export const ChannelKindSchema = Type.Union([
  Type.Literal('whatsapp'),
  Type.Literal('messenger'),
  Type.Literal('instagram'),
]);
export const ConversationStatusSchema = Type.Union([
  Type.Literal('open'),
  Type.Literal('pending'),
  Type.Literal('snoozed'),
  Type.Literal('resolved'),
]) satisfies { anyOf: { const: (typeof CONVERSATION_STATUSES)[number] }[] };

export const ChannelView = Type.Object({
  id: Uuid,
  kind: ChannelKindSchema,
  name: Type.String(),
  accountId: Type.String({ description: 'Meta’s id: phone-number id, page id or Instagram account id' }),
  wabaId: Type.Union([Type.String(), Type.Null()]),
  appId: Type.String(),
  display: Type.Union([Type.String(), Type.Null()], { description: 'Display phone number or @username' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('auth_revoked'), Type.Literal('disconnected')]),
  health: Type.Object({
    tokenValid: Type.Union([Type.Boolean(), Type.Null()]),
    qualityRating: Type.Union([Type.String(), Type.Null()]),
    messagingTier: Type.Union([Type.String(), Type.Null()]),
    checkedAt: NullableTimestamp,
    lastWebhookAt: NullableTimestamp,
    lastError: Type.Union([
      Type.Object({ code: Type.Integer(), class: Type.String(), title: Type.String(), at: Type.String() }),
      Type.Null(),
    ]),
  }),
  createdAt: Timestamp,
});

const AccountId = Type.String({ pattern: '^[0-9]{1,30}$', description: 'A numeric Meta id' });

export const ConnectChannelBody = Type.Object(
  {
    kind: ChannelKindSchema,
    name: Str(200, 0),
    accountId: AccountId,
    wabaId: Type.Optional(AccountId),
    appId: AccountId,
    appSecret: Str(200, 8),
    verifyToken: Str(200, 8),
    accessToken: Str(2000, 8),
  },
  strict,
);

export const EmbeddedSignupBody = Type.Object(
  {
    code: Str(2000),
    wabaId: AccountId,
    phoneNumberId: AccountId,
    name: Type.Optional(Str(200)),
  },
  strict,
);

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Id = Type.String({ minLength: 1, maxLength: 256 });
const MediaUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 });

const OutboundMedia = (type: 'image' | 'video' | 'audio' | 'document' | 'sticker') => {
  const extra = {
    ...(type === 'audio' || type === 'sticker' ? {} : { caption: Type.Optional(Text(1024)) }),
    ...(type === 'document' ? { filename: Type.Optional(Text(240)) } : {}),
  };
  return Type.Object(
    {
      type: Type.Literal(type),
      // By link (a public URL Meta fetches), or by the id of a file uploaded to the conversation.
      media: Type.Union([
        Type.Object({ url: MediaUrl, ...extra }, strict),
        Type.Object(
          {
            id: Type.String({
              format: 'uuid',
              description: 'The id from POST /conversations/:id/attachments',
            }),
            ...extra,
          },
          strict,
        ),
      ]),
    },
    strict,
  );
};

/** What a client may send: text, media by link or uploaded file id, location, buttons, lists, templates, reactions. */
export const OutboundContentSchema = Type.Union([
  Type.Object({ type: Type.Literal('text'), text: Text(4096) }, strict),
  OutboundMedia('image'),
  OutboundMedia('video'),
  OutboundMedia('audio'),
  OutboundMedia('document'),
  OutboundMedia('sticker'),
  Type.Object(
    {
      type: Type.Literal('location'),
      latitude: Type.Number({ minimum: -90, maximum: 90 }),
      longitude: Type.Number({ minimum: -180, maximum: 180 }),
      name: Type.Optional(Text(1000)),
      address: Type.Optional(Text(1000)),
    },
    strict,
  ),
  Type.Object(
    {
      type: Type.Literal('interactive'),
      interactive: Type.Union([
        Type.Object(
          {
            kind: Type.Literal('button'),
            body: Text(1024),
            header: Type.Optional(Text(60)),
            footer: Type.Optional(Text(60)),
            buttons: Type.Array(Type.Object({ id: Id, title: Text(20) }, strict), {
              minItems: 1,
              maxItems: 3,
            }),
          },
          strict,
        ),
        Type.Object(
          {
            kind: Type.Literal('list'),
            body: Text(1024),
            header: Type.Optional(Text(60)),
            footer: Type.Optional(Text(60)),
            button: Text(20),
            sections: Type.Array(
              Type.Object(
                {
                  title: Type.Optional(Text(24)),
                  rows: Type.Array(
                    Type.Object(
                      { id: Text(200), title: Text(24), description: Type.Optional(Text(72)) },
                      strict,
                    ),
                    { minItems: 1, maxItems: 10 },
                  ),
                },
                strict,
              ),
              { minItems: 1, maxItems: 10 },
            ),
          },
          strict,
        ),
      ]),
    },
    strict,
  ),
  Type.Object(
    {
      type: Type.Literal('template'),
      template: Type.Object(
        {
          name: Type.String({ pattern: '^[a-z0-9_]{1,512}$' }),
          language: Type.String({ pattern: '^[a-z]{2,3}(_[A-Za-z]{2,4})?$' }),
          components: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 20 })),
        },
        strict,
      ),
    },
    strict,
  ),
  Type.Object(
    {
      type: Type.Literal('reaction'),
      messageId: Uuid,
      emoji: Type.String({ maxLength: 16, description: 'One emoji; empty removes the reaction' }),
    },
    strict,
  ),
]);

export const SendMessageBody = Type.Object(
  { content: OutboundContentSchema, replyToMessageId: Type.Optional(Uuid) },
  strict,
);

export const NoteBody = Type.Object({ text: Text(10_000) }, strict);

export const MessageView = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  channelId: Uuid,
  direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]),
  kind: Type.Union([Type.Literal('message'), Type.Literal('note')]),
  type: Type.String(),
  content: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'Canonical content: {type, …} — text, media, location, contacts, interactive, template, reaction…',
  }),
  status: Type.Union([
    Type.Literal('received'),
    Type.Literal('note'),
    Type.Literal('queued'),
    Type.Literal('sent'),
    Type.Literal('delivered'),
    Type.Literal('read'),
    Type.Literal('failed'),
  ]),
  error: Type.Union([
    Type.Object({
      code: Type.Integer(),
      class: Type.String(),
      title: Type.String(),
      explanation: Type.String({ description: 'What happened, in plain words' }),
    }),
    Type.Null(),
  ]),
  author: Type.Object({
    type: Type.Union([
      Type.Literal('customer'),
      Type.Literal('user'),
      Type.Literal('api_key'),
      Type.Literal('echo'),
      Type.Literal('system'),
    ]),
    id: Type.Union([Type.String(), Type.Null()]),
  }),
  humanAgent: Type.Boolean(),
  replyToId: Type.Union([Uuid, Type.Null()]),
  media: Type.Union([
    Type.Object({
      id: Uuid,
      status: Type.Union([Type.Literal('pending'), Type.Literal('stored'), Type.Literal('failed')]),
      mimeType: Type.Union([Type.String(), Type.Null()]),
      sizeBytes: Type.Union([Type.Integer(), Type.Null()]),
      url: Type.String({ description: 'GET this (authenticated) for the bytes' }),
    }),
    Type.Null(),
  ]),
  referral: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  timestamp: Timestamp,
  statusAt: NullableTimestamp,
  createdAt: Timestamp,
});

export const ConversationView = Type.Object({
  id: Uuid,
  contactId: Uuid,
  channelId: Uuid,
  status: ConversationStatusSchema,
  assigneeId: Type.Union([Uuid, Type.Null()]),
  teamId: Type.Union([Uuid, Type.Null()]),
  snoozedUntil: NullableTimestamp,
  lastMessageAt: Timestamp,
  lastInboundAt: NullableTimestamp,
  window: Type.Object({
    open: Type.Boolean({ description: 'Free-form replies allowed now (24 h since the customer last wrote)' }),
    closesAt: NullableTimestamp,
    humanAgentUntil: Type.Union([Type.String(), Type.Null()], {
      description: 'Messenger/Instagram: a person may still reply with the HUMAN_AGENT tag until then',
    }),
  }),
  unreadCount: Type.Integer(),
  preview: Type.Union([Type.String(), Type.Null()]),
  labelIds: Type.Array(Uuid),
  contact: Type.Optional(
    Type.Object({
      id: Uuid,
      name: Type.Union([Type.String(), Type.Null()]),
      phone: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ConversationListQuery = Type.Object(
  {
    status: Type.Optional(ConversationStatusSchema),
    channelId: Type.Optional(Uuid),
    contactId: Type.Optional(Uuid),
    assigneeId: Type.Optional(Type.Union([Uuid, Type.Literal('none'), Type.Literal('me')])),
    teamId: Type.Optional(Uuid),
    labelId: Type.Optional(Uuid),
    unread: Type.Optional(Type.Boolean()),
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 2048 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  strict,
);

export const WebhookEventView = Type.Object({
  id: Uuid,
  appId: Type.Union([Type.String(), Type.Null()]),
  object: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('pending'), Type.Literal('done'), Type.Literal('dead')]),
  attempts: Type.Integer(),
  receivedAt: Timestamp,
  processedAt: NullableTimestamp,
  error: Type.Union([Type.String(), Type.Null()]),
  payload: Type.Optional(
    Type.Unknown({ description: 'The delivery as Meta sent it (JSON, or the raw text)' }),
  ),
});
