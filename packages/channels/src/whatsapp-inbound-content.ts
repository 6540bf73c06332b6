import type { Referral } from './canonical-event.ts';
import {
  asArray,
  asBoolean,
  asId,
  asNumber,
  asObject,
  asString,
  compact,
  type JsonObject,
} from './json-reader.ts';
import { isMediaType, type ContactCard, type MessageContent } from './message-content.ts';
import { describe, type ContentResult } from './webhook-sink.ts';

/** Canonical content of one inbound WhatsApp message (`messages[]` item), by its `type`. */
export function whatsappContent(m: JsonObject, type: string): ContentResult {
  const ok = (content: MessageContent): ContentResult => ({ content });
  if (isMediaType(type)) {
    const media = asObject(m[type]);
    const providerMediaId = asId(media?.id);
    const url = asString(media?.url);
    if (!media || (!providerMediaId && !url)) return { problem: `${type} without id` };
    return ok({
      type,
      media: compact({
        providerMediaId,
        url,
        mimeType: asString(media.mime_type),
        sha256: asString(media.sha256),
        caption: asString(media.caption),
        filename: asString(media.filename),
        voice: type === 'audio' ? asBoolean(media.voice) : undefined,
      }),
    });
  }
  switch (type) {
    case 'text': {
      const body = asString(asObject(m.text)?.body);
      return body === undefined ? { problem: 'text without body' } : ok({ type: 'text', text: body });
    }
    case 'location': {
      const location = asObject(m.location);
      const latitude = asNumber(location?.latitude);
      const longitude = asNumber(location?.longitude);
      if (!location || latitude === undefined || longitude === undefined)
        return { problem: 'location without latitude/longitude' };
      return ok(
        compact({
          type: 'location' as const,
          latitude,
          longitude,
          name: asString(location.name),
          address: asString(location.address),
          url: asString(location.url),
        }),
      );
    }
    case 'contacts': {
      const contacts = asArray(m.contacts);
      if (!contacts) return { problem: 'contacts without contacts[]' };
      return ok({ type: 'contacts', contacts: contacts.map(contactCard) });
    }
    case 'interactive':
      return interactiveReply(asObject(m.interactive));
    case 'button': {
      // A tap on a template's quick-reply button.
      const button = asObject(m.button);
      const payload = asString(button?.payload);
      const text = asString(button?.text);
      if (payload === undefined && text === undefined) return { problem: 'button without payload or text' };
      return ok({
        type: 'interactive_reply',
        kind: 'template_button',
        replyId: payload ?? text ?? '',
        title: text ?? payload ?? '',
      });
    }
    case 'reaction': {
      const reaction = asObject(m.reaction);
      const target = asId(reaction?.message_id);
      if (!target) return { problem: 'reaction without message_id' };
      return ok({
        type: 'reaction',
        targetProviderMessageId: target,
        emoji: asString(reaction?.emoji) ?? '',
      });
    }
    case 'unsupported':
    case 'unknown': {
      const error = asObject(asArray(m.errors)?.[0]);
      const code = asNumber(error?.code);
      const title = asString(error?.title);
      return ok({
        type: 'unsupported',
        reason:
          code !== undefined
            ? `unsupported message (${code}${title ? `: ${title}` : ''})`
            : 'unsupported message',
      });
    }
    default:
      // order, system, request_welcome, … and types Meta adds later: kept as unsupported content.
      return ok({ type: 'unsupported', reason: `WhatsApp message type ${describe(type)} is not supported` });
  }
}

function contactCard(raw: unknown): ContactCard {
  const contact = asObject(raw);
  const name = asObject(contact?.name);
  const formatted =
    asString(name?.formatted_name) ??
    [asString(name?.first_name), asString(name?.last_name)].filter(Boolean).join(' ');
  const phones: ContactCard['phones'] = [];
  for (const p of asArray(contact?.phones) ?? []) {
    const phone = asObject(p);
    const number = asString(phone?.phone) ?? asId(phone?.wa_id);
    if (number)
      phones.push(compact({ phone: number, waId: asId(phone?.wa_id), type: asString(phone?.type) }));
  }
  const emails: ContactCard['emails'] = [];
  for (const e of asArray(contact?.emails) ?? []) {
    const email = asObject(e);
    const address = asString(email?.email);
    if (address) emails.push(compact({ email: address, type: asString(email?.type) }));
  }
  return { name: formatted, phones, emails };
}

function interactiveReply(interactive: JsonObject | undefined): ContentResult {
  const kind = asString(interactive?.type);
  if (kind === 'button_reply' || kind === 'list_reply') {
    const reply = asObject(interactive?.[kind]);
    const replyId = asString(reply?.id);
    const title = asString(reply?.title);
    if (replyId === undefined || title === undefined) return { problem: `${kind} without id or title` };
    return {
      content: compact({
        type: 'interactive_reply' as const,
        kind,
        replyId,
        title,
        description: asString(reply?.description),
      }),
    };
  }
  if (kind === 'nfm_reply') {
    return {
      content: { type: 'unsupported', reason: 'WhatsApp Flow response (nfm_reply) is not supported' },
    };
  }
  return { content: { type: 'unsupported', reason: `interactive reply ${describe(kind)} is not supported` } };
}

export function whatsappReferral(referral: JsonObject | undefined): Referral | undefined {
  if (!referral) return undefined;
  return compact({
    sourceType: asString(referral.source_type),
    sourceId: asId(referral.source_id),
    sourceUrl: asString(referral.source_url),
    headline: asString(referral.headline),
    body: asString(referral.body),
    ctwaClid: asString(referral.ctwa_clid),
    adId: asString(referral.source_type) === 'ad' ? asId(referral.source_id) : undefined,
    mediaType: asString(referral.media_type),
    mediaUrl: asString(referral.image_url) ?? asString(referral.video_url),
  });
}
