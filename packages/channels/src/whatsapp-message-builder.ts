import type { SendOptions } from './channel-provider.ts';
import { invalidContent, type ClassifiedFailure } from './failure.ts';
import { compact } from './json-reader.ts';
import { type InteractiveMessage, type MediaRef, type MessageContent } from './message-content.ts';
import { whatsappRecipient } from './phone-number.ts';

/** Meta's limits for WhatsApp sends (reference §1.1). */
export const WHATSAPP_LIMITS = {
  text: 4096,
  caption: 1024,
  interactiveBody: 1024,
  interactiveHeader: 60,
  interactiveFooter: 60,
  buttonTitle: 20,
  buttonId: 256,
  maxButtons: 3,
  listButton: 20,
  maxSections: 10,
  maxRows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  sectionTitle: 24,
  callbackData: 512,
} as const;

export type Built = { ok: true; body: Record<string, unknown> } | { ok: false; failure: ClassifiedFailure };

class Rejected extends Error {}

function check(condition: boolean, title: string): void {
  if (!condition) throw new Rejected(title);
}

function within(value: string, max: number, what: string): void {
  check(value.length >= 1 && value.length <= max, `${what} must be 1-${max} characters`);
}

/** Converts canonical content to a WhatsApp Cloud API send body, or says why it cannot be sent. */
export function buildWhatsAppMessage(to: string, content: MessageContent, opts: SendOptions = {}): Built {
  try {
    const body: Record<string, unknown> = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: whatsappRecipient(to),
      ...payloadFor(content),
    };
    if (opts.callbackData !== undefined) {
      within(opts.callbackData, WHATSAPP_LIMITS.callbackData, 'callbackData');
      body.biz_opaque_callback_data = opts.callbackData;
    }
    if (opts.replyToProviderMessageId && content.type !== 'reaction') {
      body.context = { message_id: opts.replyToProviderMessageId };
    }
    return { ok: true, body };
  } catch (error) {
    if (error instanceof Rejected) return { ok: false, failure: invalidContent(error.message) };
    throw error;
  }
}

function payloadFor(content: MessageContent): Record<string, unknown> {
  switch (content.type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return { type: content.type, [content.type]: mediaPayload(content.type, content.media) };
    case 'text':
      within(content.text, WHATSAPP_LIMITS.text, 'text');
      return { type: 'text', text: { body: content.text, preview_url: /https?:\/\//i.test(content.text) } };
    case 'location':
      check(
        Number.isFinite(content.latitude) && Number.isFinite(content.longitude),
        'location needs numeric latitude and longitude',
      );
      return {
        type: 'location',
        location: compact({
          latitude: content.latitude,
          longitude: content.longitude,
          name: content.name,
          address: content.address,
        }),
      };
    case 'contacts':
      check(content.contacts.length > 0, 'contacts must not be empty');
      return {
        type: 'contacts',
        contacts: content.contacts.map((c) => {
          within(c.name, 1024, 'contact name');
          return {
            name: { formatted_name: c.name, first_name: c.name.split(/\s+/)[0] || c.name },
            phones: c.phones.map((p) => compact({ phone: p.phone, wa_id: p.waId, type: p.type })),
            emails: c.emails.map((e) => compact({ email: e.email, type: e.type })),
          };
        }),
      };
    case 'reaction':
      check(content.targetProviderMessageId !== '', 'reaction needs the target message id');
      return {
        type: 'reaction',
        reaction: { message_id: content.targetProviderMessageId, emoji: content.emoji },
      };
    case 'interactive':
      return { type: 'interactive', interactive: interactivePayload(content.interactive) };
    case 'template': {
      check(
        content.template.name !== '' && content.template.language !== '',
        'template needs name and language',
      );
      const template: Record<string, unknown> = {
        name: content.template.name,
        language: { code: content.template.language },
      };
      if (content.template.components !== undefined) template.components = content.template.components;
      return { type: 'template', template };
    }
    case 'interactive_reply':
      throw new Rejected('interactive replies are inbound only');
    case 'unsupported':
      throw new Rejected('unsupported content cannot be sent');
    default:
      throw new Rejected('unknown content type');
  }
}

function mediaPayload(type: string, media: MediaRef): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  // Exactly one of id (uploaded media) and link; an id wins when both are known.
  if (media.providerMediaId) payload.id = media.providerMediaId;
  else if (media.url) {
    check(/^https?:\/\//i.test(media.url), `${type} link must be an http(s) URL`);
    payload.link = media.url;
  } else throw new Rejected(`${type} needs providerMediaId or url`);
  if (media.caption !== undefined && media.caption !== '') {
    check(type === 'image' || type === 'video' || type === 'document', `${type} cannot have a caption`);
    within(media.caption, WHATSAPP_LIMITS.caption, 'caption');
    payload.caption = media.caption;
  }
  if (type === 'document' && media.filename) payload.filename = media.filename;
  return payload;
}

function interactivePayload(interactive: InteractiveMessage): Record<string, unknown> {
  within(interactive.body, WHATSAPP_LIMITS.interactiveBody, 'interactive body');
  const out: Record<string, unknown> = { type: interactive.kind, body: { text: interactive.body } };
  if (interactive.header !== undefined) {
    within(interactive.header, WHATSAPP_LIMITS.interactiveHeader, 'interactive header');
    out.header = { type: 'text', text: interactive.header };
  }
  if (interactive.footer !== undefined) {
    within(interactive.footer, WHATSAPP_LIMITS.interactiveFooter, 'interactive footer');
    out.footer = { text: interactive.footer };
  }
  if (interactive.kind === 'button') {
    const { buttons } = interactive;
    check(
      buttons.length >= 1 && buttons.length <= WHATSAPP_LIMITS.maxButtons,
      `buttons must number 1-${WHATSAPP_LIMITS.maxButtons}`,
    );
    check(new Set(buttons.map((b) => b.id)).size === buttons.length, 'button ids must be unique');
    check(new Set(buttons.map((b) => b.title)).size === buttons.length, 'button titles must be unique');
    for (const b of buttons) {
      within(b.title, WHATSAPP_LIMITS.buttonTitle, 'button title');
      within(b.id, WHATSAPP_LIMITS.buttonId, 'button id');
    }
    out.action = { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) };
    return out;
  }
  within(interactive.button, WHATSAPP_LIMITS.listButton, 'list button');
  const { sections } = interactive;
  check(
    sections.length >= 1 && sections.length <= WHATSAPP_LIMITS.maxSections,
    `sections must number 1-${WHATSAPP_LIMITS.maxSections}`,
  );
  const rows = sections.flatMap((s) => s.rows);
  check(
    rows.length >= 1 && rows.length <= WHATSAPP_LIMITS.maxRows,
    `rows must number 1-${WHATSAPP_LIMITS.maxRows} in total`,
  );
  check(new Set(rows.map((r) => r.id)).size === rows.length, 'row ids must be unique');
  for (const section of sections) {
    check(section.rows.length > 0, 'every section needs a row');
    if (sections.length > 1)
      check(!!section.title, 'section titles are required when there are several sections');
    if (section.title !== undefined) within(section.title, WHATSAPP_LIMITS.sectionTitle, 'section title');
  }
  for (const row of rows) {
    within(row.id, WHATSAPP_LIMITS.rowId, 'row id');
    within(row.title, WHATSAPP_LIMITS.rowTitle, 'row title');
    if (row.description !== undefined)
      check(
        row.description.length <= WHATSAPP_LIMITS.rowDescription,
        `row description must be at most ${WHATSAPP_LIMITS.rowDescription} characters`,
      );
  }
  out.action = {
    button: interactive.button,
    sections: sections.map((s) =>
      compact({
        title: s.title,
        rows: s.rows.map((r) => compact({ id: r.id, title: r.title, description: r.description })),
      }),
    ),
  };
  return out;
}
