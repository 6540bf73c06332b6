import { rulesFor, type SimContext } from '../context.ts';
import { GraphError, plainParameterError } from '../graph/graph-error.ts';
import { arr, obj, str, type Json } from '../json.ts';
import type { MessageView, SimMessage, SimThread } from '../state/model.ts';
import { messagingPayload } from '../webhooks/messenger-payloads.ts';
import { pageTargets } from '../webhooks/targets.ts';
import { customerByScopedId, scopedId, type MessagingAccount } from './page-accounts.ts';

const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'];
const MESSENGER_TAGS = [
  'HUMAN_AGENT',
  'ACCOUNT_UPDATE',
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'CUSTOMER_FEEDBACK',
];
const SENDER_ACTIONS = ['typing_on', 'typing_off', 'mark_seen', 'react', 'unreact'];

function messengerError(code: number, subcode: number, message: string, httpStatus = 400): GraphError {
  return new GraphError(httpStatus, code, message, { subcode, details: undefined });
}

/** `POST /{page-id|ig-id}/messages`: Send API with the standard window and the 7-day HUMAN_AGENT tag. */
export function sendPageMessage(ctx: SimContext, account: MessagingAccount, body: Json): Json {
  const rules = rulesFor(ctx, account.id);
  const recipient = obj(body.recipient);
  const recipientId = str(recipient?.id);
  if (!recipient) throw plainParameterError('param recipient must be non-empty.');
  if (!recipientId) throw plainParameterError('Invalid parameter: recipient.id is required');
  const customer = customerByScopedId(ctx, account, recipientId);
  if (!customer) throw new GraphError(400, 100, 'No matching user found', { subcode: 2018001 });
  const thread = ctx.store.thread(account.channel, account.id, customer.id);
  const now = ctx.clock.now(account.id);
  const emit = (event: Json, field: string): void => {
    const payload = messagingPayload(account.object, account.id, now, event);
    for (const target of pageTargets(ctx.store, account.page, field, rules.requirePageSubscription))
      ctx.webhooks.enqueue(target, payload);
  };

  const action = str(body.sender_action);
  if (action !== undefined) {
    if (!SENDER_ACTIONS.includes(action))
      throw plainParameterError(`param sender_action must be one of {${SENDER_ACTIONS.join(', ')}}`);
    if (body.message !== undefined)
      throw plainParameterError('sender_action cannot be combined with message');
    if (action === 'typing_on') thread.typingUntil = Date.now() + 20_000;
    if (action === 'typing_off') thread.typingUntil = 0;
    if (action === 'mark_seen') for (const m of thread.messages) if (m.direction === 'in') m.status = 'read';
    if (action === 'react' || action === 'unreact') {
      const payload = obj(body.payload);
      const mid = str(payload?.message_id);
      if (!mid) throw plainParameterError('param payload.message_id is required');
      addOutbound(ctx, thread, {
        id: ctx.ids.mid(),
        type: 'reaction',
        view: {
          kind: 'reaction',
          reaction: { messageId: mid, emoji: action === 'react' ? (str(payload?.reaction) ?? '❤') : '' },
        },
        now,
      });
    }
    ctx.store.touch(thread);
    return { recipient_id: recipientId };
  }

  const messagingType = str(body.messaging_type);
  if (messagingType === undefined && rules.requireMessagingType) {
    throw plainParameterError('param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
  }
  if (messagingType !== undefined && !MESSAGING_TYPES.includes(messagingType)) {
    throw plainParameterError(
      `param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG} - got "${messagingType}"`,
    );
  }
  const tag = str(body.tag);
  if (messagingType === 'MESSAGE_TAG') {
    if (!tag) throw plainParameterError('param tag is required when messaging_type is MESSAGE_TAG');
    const allowed = account.channel === 'instagram' ? ['HUMAN_AGENT'] : MESSENGER_TAGS;
    if (!allowed.includes(tag)) throw plainParameterError(`param tag must be one of {${allowed.join(', ')}}`);
  }
  const message = obj(body.message);
  if (!message) throw plainParameterError('param message must be non-empty.');
  const view = messageView(message);

  if (rules.messengerWindow) {
    const since = thread.lastInboundAt === null ? Infinity : now - thread.lastInboundAt;
    const inWindow = since < rules.windowMs;
    const humanAgent =
      messagingType === 'MESSAGE_TAG' && tag === 'HUMAN_AGENT' && since < rules.humanAgentWindowMs;
    const otherTag =
      messagingType === 'MESSAGE_TAG' &&
      tag !== 'HUMAN_AGENT' &&
      account.channel === 'messenger' &&
      rules.messengerOtherTagsAllowed;
    if (!inWindow && !humanAgent && !otherTag) {
      throw messengerError(
        10,
        account.channel === 'instagram' ? rules.instagramWindowSubcode : 2018278,
        '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
      );
    }
  }

  const mid = ctx.ids.mid();
  const stored = addOutbound(ctx, thread, { id: mid, type: view.media ? 'attachment' : 'text', view, now });
  const appId = [...account.page.subscribedApps.keys()][0] ?? [...ctx.store.apps.keys()][0] ?? '0';
  const psid = scopedId(ctx, account, customer);
  const echo: Json = { ...message, mid, is_echo: true, app_id: Number(appId) };
  delete echo.quick_replies;
  emit(
    { sender: { id: account.id }, recipient: { id: psid }, timestamp: now, message: echo },
    account.channel === 'instagram' ? 'messages' : 'message_echoes',
  );

  ctx.scheduler.after(ctx.timing.sentMs + ctx.timing.deliveredMs, () => {
    stored.status = 'delivered';
    ctx.store.touch(thread);
    if (account.channel === 'messenger') {
      const at = ctx.clock.now(account.id);
      emit(
        {
          sender: { id: psid },
          recipient: { id: account.id },
          timestamp: at,
          delivery: { mids: [mid], watermark: at },
        },
        'message_deliveries',
      );
    }
    if (ctx.timing.readMs !== null)
      ctx.scheduler.after(ctx.timing.readMs, () => customerReadsPage(ctx, account, thread));
  });
  return { recipient_id: recipientId, message_id: mid };
}

function addOutbound(
  ctx: SimContext,
  thread: SimThread,
  m: { id: string; type: string; view: MessageView; now: number },
): SimMessage {
  const message: SimMessage = {
    id: m.id,
    direction: 'out',
    type: m.type,
    timestamp: m.now,
    status: 'sent',
    errors: null,
    view: m.view,
    bizOpaque: null,
    category: 'service',
    pricingType: 'free_customer_service',
  };
  thread.typingUntil = 0;
  ctx.store.addMessage(thread, message);
  return message;
}

/** The customer saw the conversation: read webhook (Messenger `read.watermark`, Instagram `read.mid`). */
export function customerReadsPage(ctx: SimContext, account: MessagingAccount, thread: SimThread): number {
  const unread = thread.messages.filter((m) => m.direction === 'out' && m.status !== 'read');
  if (unread.length === 0) return 0;
  for (const m of unread) m.status = 'read';
  ctx.store.touch(thread);
  const customer = ctx.store.customers.get(thread.customerId);
  if (!customer) return unread.length;
  const rules = rulesFor(ctx, account.id);
  const now = ctx.clock.now(account.id);
  const last = unread[unread.length - 1];
  const read = account.channel === 'instagram' ? { mid: last?.id } : { watermark: now };
  const payload = messagingPayload(account.object, account.id, now, {
    sender: { id: scopedId(ctx, account, customer) },
    recipient: { id: account.id },
    timestamp: now,
    read,
  });
  const field = account.channel === 'instagram' ? 'messaging_seen' : 'message_reads';
  for (const target of pageTargets(ctx.store, account.page, field, rules.requirePageSubscription))
    ctx.webhooks.enqueue(target, payload);
  return unread.length;
}

function messageView(message: Json): MessageView {
  const text = str(message.text);
  const attachment = obj(message.attachment);
  if (text === undefined && !attachment)
    throw plainParameterError('param message must contain text or attachment');
  if (text !== undefined && text.length > 2000)
    throw plainParameterError('param message.text must be at most 2000 characters');
  const view: MessageView = { kind: 'text', text: text ?? '' };
  const quickReplies = arr(message.quick_replies);
  if (quickReplies) {
    if (quickReplies.length > 13)
      throw plainParameterError('param message.quick_replies must have at most 13 items');
    view.buttons = quickReplies.map(obj).map((q) => {
      const title = str(q?.title) ?? '';
      if (str(q?.content_type) === 'text' && (title.length === 0 || title.length > 20)) {
        throw plainParameterError('param message.quick_replies[].title must be 1-20 characters');
      }
      return { id: str(q?.payload) ?? title, title, kind: 'quick_reply' as const };
    });
  }
  if (attachment) {
    const type = str(attachment.type) ?? '';
    const payload = obj(attachment.payload) ?? {};
    if (type === 'template') {
      view.kind = 'template';
      view.text = str(payload.text) ?? str(payload.template_type) ?? '';
      const buttons = arr(payload.buttons) ?? [];
      view.buttons = buttons.map(obj).map((b) => ({
        id: str(b?.payload) ?? str(b?.url) ?? '',
        title: str(b?.title) ?? '',
        kind: str(b?.type) === 'postback' ? ('reply' as const) : ('url' as const),
      }));
    } else if (['image', 'audio', 'video', 'file'].includes(type)) {
      view.kind = 'media';
      const url =
        str(payload.url) ?? (str(payload.attachment_id) ? `attachment:${str(payload.attachment_id)}` : null);
      if (!url) throw plainParameterError('param message.attachment.payload needs url or attachment_id');
      view.media = { type: type === 'file' ? 'document' : type, url };
    } else {
      throw plainParameterError(
        'param message.attachment.type must be one of {image, audio, video, file, template}',
      );
    }
  }
  return view;
}
