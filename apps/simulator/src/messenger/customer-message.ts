import { rulesFor, type SimContext } from '../context.ts';
import { placeholderPng, storeMedia } from '../media-store.ts';
import type { MessageView, SimCustomer, SimMessage } from '../state/model.ts';
import { messagingPayload } from '../webhooks/messenger-payloads.ts';
import { pageTargets } from '../webhooks/targets.ts';
import { CustomerInputError, DEFAULT_MIME, type CustomerMessageInput } from '../whatsapp/customer-message.ts';
import { attachmentUrl } from './attachment-cdn.ts';
import { scopedId, type MessagingAccount } from './page-accounts.ts';

/** A simulated customer messages a Facebook Page or an Instagram account. */
export function customerSendsToPage(
  ctx: SimContext,
  customer: SimCustomer,
  account: MessagingAccount,
  input: CustomerMessageInput,
): SimMessage {
  const now = ctx.clock.now(account.id);
  const thread = ctx.store.thread(account.channel, account.id, customer.id);
  const mid = ctx.ids.mid();
  const sender = { id: scopedId(ctx, account, customer) };
  const recipient = { id: account.id };
  let event: Record<string, unknown>;
  let view: MessageView;
  const original = input.replyTo ? ctx.store.message(input.replyTo)?.message : undefined;
  const button = original?.view.buttons?.find((b) => b.id === input.buttonId || b.title === input.buttonId);

  switch (input.type) {
    case 'text': {
      if (!input.text) throw new CustomerInputError('text is required');
      const message: Record<string, unknown> = { mid, text: input.text };
      if (input.replyTo) message.reply_to = { mid: input.replyTo };
      event = { sender, recipient, timestamp: now, message };
      view = { kind: 'text', text: input.text };
      break;
    }
    case 'button_reply':
    case 'button': {
      if (!button)
        throw new CustomerInputError(
          'replyTo/buttonId must reference a quick reply or button of a page message',
        );
      if (button.kind === 'quick_reply') {
        event = {
          sender,
          recipient,
          timestamp: now,
          message: { mid, text: button.title, quick_reply: { payload: button.id } },
        };
      } else {
        event = {
          sender,
          recipient,
          timestamp: now,
          postback: { mid, title: button.title, payload: button.id },
        };
      }
      view = { kind: 'text', text: button.title };
      break;
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document': {
      const type = input.type === 'document' ? 'file' : input.type;
      const provided = input.media?.dataBase64;
      const data = provided ? Buffer.from(provided, 'base64') : placeholderPng();
      const mimeType = provided
        ? (input.media?.mimeType ?? DEFAULT_MIME[input.type] ?? 'application/octet-stream')
        : 'image/png';
      const stored = storeMedia(ctx, account.id, data, mimeType, input.media?.filename ?? null, 'cdn');
      const message: Record<string, unknown> = {
        mid,
        attachments: [{ type, payload: { url: attachmentUrl(ctx, stored) } }],
      };
      if (input.text) message.text = input.text;
      event = { sender, recipient, timestamp: now, message };
      view = {
        kind: 'media',
        caption: input.text,
        media: {
          type: input.type,
          url: `media:${stored.id}`,
          mimeType: stored.mimeType,
          filename: stored.filename ?? undefined,
        },
      };
      break;
    }
    case 'reaction': {
      if (!input.replyTo) throw new CustomerInputError('replyTo is required for a reaction');
      const emoji = input.emoji ?? '';
      event = {
        sender,
        recipient,
        timestamp: now,
        reaction: {
          mid: input.replyTo,
          action: emoji ? 'react' : 'unreact',
          reaction: emoji ? 'love' : undefined,
          emoji,
        },
      };
      view = { kind: 'reaction', reaction: { messageId: input.replyTo, emoji } };
      break;
    }
    default:
      throw new CustomerInputError(`message type ${input.type} is not supported on ${account.channel}`);
  }
  if (input.referral) {
    event.referral = {
      source: 'ADS',
      type: 'OPEN_THREAD',
      ad_id: '120210000000000001',
      ...(typeof input.referral === 'object' ? input.referral : {}),
    };
    thread.referralAt = now;
  }
  const stored = ctx.store.addInbound(thread, { id: mid, type: input.type, view, at: now });
  const field =
    'postback' in event
      ? 'messaging_postbacks'
      : input.type === 'reaction'
        ? 'message_reactions'
        : 'messages';
  const payload = messagingPayload(account.object, account.id, now, event);
  const rules = rulesFor(ctx, account.id);
  for (const target of pageTargets(ctx.store, account.page, field, rules.requirePageSubscription))
    ctx.webhooks.enqueue(target, payload);
  return stored;
}
