import { rulesFor, type SimContext } from '../context.ts';
import { placeholderPng, storeMedia } from '../media-store.ts';
import type { MessageView, SimCustomer, SimMessage, SimPhoneNumber } from '../state/model.ts';
import { wabaTargets } from '../webhooks/targets.ts';
import { waInboundPayload } from '../webhooks/whatsapp-payloads.ts';

/** What a simulated customer does in a chat (control API and phone page share this shape). */
export interface CustomerMessageInput {
  type:
    | 'text'
    | 'image'
    | 'audio'
    | 'video'
    | 'document'
    | 'sticker'
    | 'location'
    | 'contacts'
    | 'button_reply'
    | 'list_reply'
    | 'button'
    | 'reaction'
    | 'unsupported';
  text?: string;
  media?: { dataBase64?: string; mimeType?: string; filename?: string; voice?: boolean };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: { name: string; phone: string }[];
  /** Business message this refers to (quoted reply, button tap, reaction). */
  replyTo?: string;
  /** Reply button id, list row id or template quick-reply payload. */
  buttonId?: string;
  emoji?: string;
  /** The customer arrived from a Click-to-WhatsApp ad (true = a default ad). */
  referral?: boolean | Record<string, unknown>;
}

export class CustomerInputError extends Error {}

/** MIME type of a customer's media when the control API gives none. */
export const DEFAULT_MIME: Record<string, string> = {
  image: 'image/png',
  audio: 'audio/ogg',
  video: 'video/mp4',
  document: 'application/pdf',
  sticker: 'image/webp',
};

function findButton(ctx: SimContext, replyTo: string | undefined, id: string | undefined) {
  if (!replyTo) return undefined;
  const original = ctx.store.message(replyTo)?.message;
  const view = original?.view;
  const button = view?.buttons?.find((b) => b.id === id || b.title === id);
  if (button) return { id: button.id, title: button.title, description: undefined as string | undefined };
  for (const section of view?.list?.sections ?? []) {
    const row = section.rows.find((r) => r.id === id);
    if (row) return { id: row.id, title: row.title, description: row.description };
  }
  return undefined;
}

/** The customer sends a WhatsApp message to a business number: stored, window opened, webhook emitted. */
export function customerSendsWhatsApp(
  ctx: SimContext,
  customer: SimCustomer,
  phone: SimPhoneNumber,
  input: CustomerMessageInput,
): SimMessage {
  if (!customer.waId) throw new CustomerInputError('customer has no WhatsApp number');
  const waba = ctx.store.wabas.get(phone.wabaId);
  if (!waba) throw new CustomerInputError('phone number has no WABA');
  const now = ctx.clock.now(phone.id);
  const thread = ctx.store.thread('whatsapp', phone.id, customer.id);
  const id = ctx.ids.wamid(customer.waId);
  const message: Record<string, unknown> = {
    from: customer.waId,
    id,
    timestamp: Math.floor(now / 1000).toString(),
    type: input.type,
  };
  let view: MessageView;
  if (input.replyTo && input.type !== 'reaction')
    message.context = { from: phone.displayPhoneNumber, id: input.replyTo };

  switch (input.type) {
    case 'text': {
      const body = input.text ?? '';
      if (body === '') throw new CustomerInputError('text is required');
      message.text = { body };
      view = { kind: 'text', text: body };
      break;
    }
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker': {
      const mimeType = input.media?.mimeType ?? DEFAULT_MIME[input.type] ?? 'application/octet-stream';
      const data = input.media?.dataBase64 ? Buffer.from(input.media.dataBase64, 'base64') : placeholderPng();
      const stored = storeMedia(
        ctx,
        phone.id,
        data,
        input.type === 'image' && !input.media?.dataBase64 ? 'image/png' : mimeType,
        input.media?.filename ?? null,
      );
      const media: Record<string, unknown> = {
        mime_type: stored.mimeType,
        sha256: stored.sha256,
        id: stored.id,
      };
      if (input.text && (input.type === 'image' || input.type === 'video' || input.type === 'document'))
        media.caption = input.text;
      if (input.type === 'document') media.filename = input.media?.filename ?? 'document.pdf';
      if (input.type === 'audio') media.voice = input.media?.voice ?? false;
      if (input.type === 'sticker') media.animated = false;
      message[input.type] = media;
      view = {
        kind: 'media',
        caption: input.text,
        media: {
          type: input.type,
          url: `media:${stored.id}`,
          mimeType: stored.mimeType,
          filename: input.media?.filename,
        },
      };
      break;
    }
    case 'location': {
      const location = input.location ?? { latitude: -23.5505, longitude: -46.6333, name: 'São Paulo' };
      message.location = location;
      view = { kind: 'location', location };
      break;
    }
    case 'contacts': {
      const contacts = input.contacts ?? [{ name: 'Maria Silva', phone: '+5511988887777' }];
      message.contacts = contacts.map((c) => ({
        name: { formatted_name: c.name, first_name: c.name.split(' ')[0] ?? c.name },
        phones: [{ phone: c.phone, wa_id: c.phone.replace(/\D/g, ''), type: 'CELL' }],
      }));
      view = { kind: 'contacts', text: contacts.map((c) => c.name).join(', ') };
      break;
    }
    case 'button_reply':
    case 'list_reply': {
      const found = findButton(ctx, input.replyTo, input.buttonId);
      if (!found)
        throw new CustomerInputError(
          'replyTo must reference a business interactive message and buttonId one of its options',
        );
      message.type = 'interactive';
      message.interactive =
        input.type === 'button_reply'
          ? { type: 'button_reply', button_reply: { id: found.id, title: found.title } }
          : {
              type: 'list_reply',
              list_reply: {
                id: found.id,
                title: found.title,
                ...(found.description ? { description: found.description } : {}),
              },
            };
      view = { kind: 'text', text: found.title };
      break;
    }
    case 'button': {
      const found = findButton(ctx, input.replyTo, input.buttonId);
      const text = found?.title ?? input.text ?? input.buttonId ?? '';
      message.button = { payload: found?.id ?? input.buttonId ?? text, text };
      view = { kind: 'text', text };
      break;
    }
    case 'reaction': {
      if (!input.replyTo) throw new CustomerInputError('replyTo is required for a reaction');
      message.reaction = { message_id: input.replyTo, emoji: input.emoji ?? '' };
      view = { kind: 'reaction', reaction: { messageId: input.replyTo, emoji: input.emoji ?? '' } };
      break;
    }
    case 'unsupported': {
      message.errors = [
        {
          code: 131051,
          title: 'Message type unknown',
          message: 'Message type unknown',
          error_data: { details: 'Message type is currently not supported.' },
        },
      ];
      view = { kind: 'system', text: 'Unsupported message' };
      break;
    }
    default:
      throw new CustomerInputError('unknown message type');
  }
  if (input.replyTo) view.replyTo = input.replyTo;

  if (input.referral) {
    const extra = typeof input.referral === 'object' ? input.referral : {};
    message.referral = {
      source_url: 'https://fb.me/3cr4Wqqkv',
      source_id: '120210000000000001',
      source_type: 'ad',
      headline: 'Fresh croissants every morning',
      body: 'Order on WhatsApp and get 10% off',
      media_type: 'image',
      image_url: 'https://example.com/ad.jpg',
      ctwa_clid: `ARA${ctx.ids.numeric()}`,
      ...extra,
    };
    thread.referralAt = now;
  }

  const stored = ctx.store.addInbound(thread, { id: id, type: String(message.type), view, at: now });
  const rules = rulesFor(ctx, phone.id);
  if (rules.throughput) ctx.throughput.consume(phone.id, phone.throughputMps);
  const payload = waInboundPayload(waba, phone, { name: customer.name, waId: customer.waId }, message);
  for (const target of wabaTargets(ctx.store, waba)) ctx.webhooks.enqueue(target, payload);
  return stored;
}
