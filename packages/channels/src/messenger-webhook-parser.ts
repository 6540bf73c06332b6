import type { MessageEvent } from './canonical-event.ts';
import {
  asArray,
  asId,
  asNumber,
  asObject,
  asString,
  compact,
  millisToDate,
  type JsonObject,
} from './json-reader.ts';
import { messageContents, messagingReferral } from './messenger-inbound-content.ts';
import { describe, type WebhookSink } from './webhook-sink.ts';

type MessagingChannel = 'messenger' | 'instagram';

/** Page `changes[].field`s that become `account` events (`entry.id` = page id). */
export const PAGE_ACCOUNT_FIELDS: ReadonlySet<string> = new Set(['leadgen']);

/** Reaction names Meta sends when the emoji itself is absent. */
const REACTION_EMOJI: Record<string, string> = {
  love: '\u2764',
  like: '\u{1F44D}',
  smile: '\u{1F606}',
  wow: '\u{1F62E}',
  sad: '\u{1F622}',
  angry: '\u{1F620}',
};

interface Context {
  channel: MessagingChannel;
  accountId: string;
  sink: WebhookSink;
}

/** `object: "page"` (Messenger) and `object: "instagram"`: `entry[].messaging[]` (+ page `changes[]`). */
export function parseMessagingWebhook(root: JsonObject, channel: MessagingChannel, sink: WebhookSink): void {
  const entries = asArray(root.entry);
  if (!entries) {
    sink.problem('entry', 'missing entry[]');
    return;
  }
  entries.forEach((raw, i) => {
    const path = `entry[${i}]`;
    sink.guard(path, () => {
      const entry = asObject(raw);
      const accountId = asId(entry?.id);
      if (!entry || !accountId) {
        sink.problem(path, entry ? 'entry without id' : 'entry is not an object');
        return;
      }
      const ctx: Context = { channel, accountId, sink };
      const messaging = asArray(entry.messaging);
      const changes = asArray(entry.changes);
      messaging?.forEach((event, j) =>
        sink.guard(`${path}.messaging[${j}]`, () =>
          parseMessagingEvent(asObject(event), `${path}.messaging[${j}]`, ctx),
        ),
      );
      changes?.forEach((change, j) =>
        sink.guard(`${path}.changes[${j}]`, () =>
          parseChange(asObject(change), `${path}.changes[${j}]`, millisOrSeconds(entry.time), ctx),
        ),
      );
      if (asArray(entry.standby))
        sink.problem(`${path}.standby`, 'standby (handover protocol) events are not handled');
      if (!messaging && !changes && !asArray(entry.standby))
        sink.problem(path, 'entry without messaging[] or changes[]');
    });
  });
}

/** Page `changes[]` carry `time` in seconds (leadgen) while `messaging[]` entries use milliseconds. */
function millisOrSeconds(value: unknown): Date {
  const n = asNumber(value);
  if (n === undefined) return new Date();
  return millisToDate(n < 1e11 ? n * 1000 : n) ?? new Date();
}

function parseChange(change: JsonObject | undefined, path: string, time: Date, ctx: Context): void {
  const field = asString(change?.field);
  const value = asObject(change?.value);
  if (!field || !value) {
    ctx.sink.problem(path, 'change without field or value');
  } else if (ctx.channel === 'messenger' && PAGE_ACCOUNT_FIELDS.has(field)) {
    ctx.sink.event({
      type: 'account',
      channel: ctx.channel,
      accountId: ctx.accountId,
      field,
      data: value,
      timestamp: time,
    });
  } else {
    ctx.sink.problem(`${path}.field`, `unsupported field ${describe(field)}`);
  }
}

function parseMessagingEvent(event: JsonObject | undefined, path: string, ctx: Context): void {
  const { sink } = ctx;
  if (!event) {
    sink.problem(path, 'messaging event is not an object');
    return;
  }
  const senderId = asId(asObject(event.sender)?.id);
  const recipientId = asId(asObject(event.recipient)?.id);
  const timestamp = millisToDate(event.timestamp);
  if (!senderId || !recipientId || !timestamp) {
    sink.problem(path, 'messaging event without sender, recipient or valid timestamp');
    return;
  }
  const rawTime = String(asNumber(event.timestamp));
  const message = asObject(event.message);
  const postback = asObject(event.postback);
  const reaction = asObject(event.reaction);
  const read = asObject(event.read);
  const delivery = asObject(event.delivery);
  const base = { type: 'message' as const, channel: ctx.channel, accountId: ctx.accountId, timestamp };

  if (message) {
    const echo = message.is_echo === true;
    const mid = asId(message.mid);
    if (!mid) {
      sink.problem(`${path}.message`, 'message without mid');
      return;
    }
    if (message.is_deleted === true) {
      sink.problem(`${path}.message`, 'message deletions are not handled');
      return;
    }
    const contents = messageContents(message);
    if (contents.length === 0) {
      sink.problem(`${path}.message`, 'message without text or attachments');
      return;
    }
    const replyTo = asId(asObject(message.reply_to)?.mid);
    const referral = messagingReferral(asObject(message.referral) ?? asObject(event.referral));
    contents.forEach((content, i) => {
      const out: MessageEvent = {
        ...base,
        // Several attachments share one mid: the 2nd and later get a stable suffix.
        providerMessageId: i === 0 ? mid : `${mid}#${i}`,
        from: { externalId: echo ? recipientId : senderId },
        content,
      };
      if (replyTo) out.replyToProviderMessageId = replyTo;
      if (referral) out.referral = referral;
      if (echo) {
        out.echo = true;
        const appId = asId(message.app_id);
        if (appId) out.echoAppId = appId;
      }
      sink.event(out);
    });
    return;
  }

  if (postback) {
    const payload = asString(postback.payload);
    const title = asString(postback.title);
    if (payload === undefined && title === undefined) {
      sink.problem(`${path}.postback`, 'postback without payload or title');
      return;
    }
    const out: MessageEvent = {
      ...base,
      // Older postbacks (e.g. Get Started) carry no mid: a deterministic id keeps deduplication working.
      providerMessageId: asId(postback.mid) ?? `postback:${senderId}:${rawTime}`,
      from: { externalId: senderId },
      content: {
        type: 'interactive_reply',
        kind: 'postback',
        replyId: payload ?? title ?? '',
        title: title ?? payload ?? '',
      },
    };
    const referral = messagingReferral(asObject(postback.referral));
    if (referral) out.referral = referral;
    sink.event(out);
    return;
  }

  if (reaction) {
    const target = asId(reaction.mid);
    if (!target) {
      sink.problem(`${path}.reaction`, 'reaction without mid');
      return;
    }
    const name = asString(reaction.reaction);
    const emoji =
      asString(reaction.action) === 'unreact'
        ? ''
        : asString(reaction.emoji) || (name !== undefined ? (REACTION_EMOJI[name] ?? name) : '');
    sink.event({
      ...base,
      // Reactions have no mid of their own.
      providerMessageId: `reaction:${target}:${senderId}:${rawTime}`,
      from: { externalId: senderId },
      content: { type: 'reaction', targetProviderMessageId: target, emoji },
    });
    return;
  }

  if (read || delivery) {
    const watermarkEvent = read ?? delivery;
    const mids = (asArray(watermarkEvent?.mids) ?? []).map(asId).filter((m): m is string => m !== undefined);
    const mid = asId(watermarkEvent?.mid);
    if (mid) mids.push(mid);
    sink.event(
      compact({
        type: 'watermark' as const,
        channel: ctx.channel,
        accountId: ctx.accountId,
        recipientExternalId: senderId,
        status: read ? ('read' as const) : ('delivered' as const),
        watermark: millisToDate(watermarkEvent?.watermark) ?? timestamp,
        providerMessageIds: mids.length > 0 ? mids : undefined,
      }),
    );
    return;
  }

  const keys = Object.keys(event).filter((k) => k !== 'sender' && k !== 'recipient' && k !== 'timestamp');
  sink.problem(path, `unsupported messaging event (${keys.slice(0, 5).join(', ') || 'empty'})`);
}
