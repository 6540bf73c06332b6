import { arr, num, obj, str, type Json } from '../json.ts';
import type { MessageView, SimMedia } from '../state/model.ts';
import { GraphError, invalidValue, missingParameter, plainParameterError } from './graph-error.ts';

/** Meta's length limits for interactive messages and text. */
export const LIMITS = {
  textBody: 4096,
  caption: 1024,
  interactiveBody: 1024,
  interactiveFooter: 60,
  interactiveHeaderText: 60,
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
} as const;

const MESSAGE_TYPES = new Set([
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'template',
  'reaction',
]);

function length(details: string, value: string, max: number, min = 1): void {
  if (value.length < min || value.length > max) {
    throw invalidValue(`${details} length invalid. Min length: ${min}, Max length: ${max}`);
  }
}

export interface ValidatedSend {
  type: string;
  to: string;
  view: MessageView;
  bizOpaque: string | null;
  contextId: string | null;
  /** For `template`: name and language code. */
  template: { name: string; language: string; components: unknown } | null;
}

/**
 * Validates a WhatsApp send request the way Meta does (code 100 for unknown/malformed
 * parameters, 131008 for missing ones, 131009 for invalid values) and computes the view.
 */
export function validateWhatsAppSend(
  body: Json,
  findMedia: (id: string) => SimMedia | undefined,
): ValidatedSend {
  if (body.messaging_product !== 'whatsapp') {
    throw plainParameterError('The parameter messaging_product is required.');
  }
  const recipientType = str(body.recipient_type) ?? 'individual';
  if (recipientType !== 'individual' && recipientType !== 'group') {
    throw plainParameterError(
      "Param recipient_type must be one of {INDIVIDUAL, GROUP} - got '" + recipientType + "'.",
    );
  }
  const to = str(body.to) ?? (typeof body.to === 'number' ? String(body.to) : undefined);
  if (to === undefined || to.trim() === '') throw missingParameter("The parameter 'to' is required.");
  const type = str(body.type) ?? 'text';
  if (!MESSAGE_TYPES.has(type)) {
    throw plainParameterError(
      `Param type must be one of {${[...MESSAGE_TYPES].join(', ').toUpperCase()}} - got "${type}".`,
    );
  }
  const payload = type === 'contacts' ? {} : obj(body[type]);
  if (!payload) throw missingParameter(`Parameter '${type}' is required for messages of type ${type}`);
  const context = obj(body.context);
  const contextId = context ? (str(context.message_id) ?? null) : null;
  const bizOpaque = str(body.biz_opaque_callback_data) ?? null;
  if (bizOpaque !== null && bizOpaque.length > 512)
    throw invalidValue('biz_opaque_callback_data is longer than 512 characters');

  const base = { type, to, bizOpaque, contextId, template: null };
  let view: MessageView;
  switch (type) {
    case 'text': {
      const text = str(payload.body);
      if (text === undefined || text === '') throw missingParameter("Param text['body'] is required.");
      if (text.length > LIMITS.textBody) {
        throw new GraphError(400, 100, '(#100) Invalid parameter', {
          details: `Param text['body'] must be at most ${LIMITS.textBody} characters long.`,
        });
      }
      view = { kind: 'text', text };
      break;
    }
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      view = validateMedia(type, payload, findMedia);
      break;
    case 'location': {
      const latitude = num(payload.latitude);
      const longitude = num(payload.longitude);
      if (latitude === undefined || longitude === undefined) {
        throw missingParameter("Param location['latitude'] and location['longitude'] are required.");
      }
      view = {
        kind: 'location',
        location: { latitude, longitude, name: str(payload.name), address: str(payload.address) },
      };
      break;
    }
    case 'contacts':
      view = validateContacts(body.contacts);
      break;
    case 'interactive':
      view = validateInteractive(payload, findMedia);
      break;
    case 'reaction': {
      const messageId = str(payload.message_id);
      if (!messageId) throw missingParameter("Param reaction['message_id'] is required.");
      const emoji = str(payload.emoji);
      if (emoji === undefined) throw missingParameter("Param reaction['emoji'] is required.");
      view = { kind: 'reaction', reaction: { messageId, emoji } };
      break;
    }
    case 'template': {
      const name = str(payload.name);
      if (!name) throw missingParameter("Param template['name'] is required.");
      const language = obj(payload.language);
      const code = str(language?.code) ?? str(payload.language);
      if (!code) throw missingParameter("Param template['language']['code'] is required.");
      return {
        ...base,
        view: { kind: 'template' },
        template: { name, language: code, components: payload.components },
      };
    }
    default:
      throw plainParameterError(`Unsupported message type ${type}`);
  }
  if (contextId) view.replyTo = contextId;
  return { ...base, view };
}

function validateMedia(
  type: string,
  payload: Json,
  findMedia: (id: string) => SimMedia | undefined,
): MessageView {
  const id = str(payload.id);
  const link = str(payload.link);
  if ((id === undefined) === (link === undefined)) {
    throw new GraphError(400, 100, '(#100) Invalid parameter', {
      details: `Param ${type} must contain exactly one of 'id' or 'link'.`,
    });
  }
  const caption = str(payload.caption);
  if (caption !== undefined && (type === 'audio' || type === 'sticker')) {
    throw new GraphError(400, 100, '(#100) Invalid parameter', {
      details: `Param ${type}['caption'] is not allowed.`,
    });
  }
  if (caption !== undefined && caption.length > LIMITS.caption) {
    throw invalidValue(`Param ${type}['caption'] must be at most ${LIMITS.caption} characters long.`);
  }
  let mimeType: string | undefined;
  if (id !== undefined) {
    const media = findMedia(id);
    if (!media) throw invalidValue(`Invalid media id ${id} for ${type}`);
    mimeType = media.mimeType;
  } else if (link !== undefined && !/^https?:\/\//i.test(link)) {
    throw invalidValue(`Param ${type}['link'] is not a valid URL`);
  }
  return {
    kind: 'media',
    caption,
    media: {
      type,
      url: id !== undefined ? `media:${id}` : (link ?? null),
      mimeType,
      filename: str(payload.filename),
    },
  };
}

function validateContacts(contacts: unknown): MessageView {
  const list = arr(contacts);
  if (!list || list.length === 0) throw missingParameter("Param 'contacts' is required.");
  const names: string[] = [];
  for (const contact of list) {
    const formatted = str(obj(obj(contact)?.name)?.formatted_name);
    if (!formatted) throw missingParameter("Param contacts[0]['name']['formatted_name'] is required.");
    names.push(formatted);
  }
  return { kind: 'contacts', text: names.join(', ') };
}

function validateInteractive(payload: Json, findMedia: (id: string) => SimMedia | undefined): MessageView {
  const kind = str(payload.type);
  if (!kind) throw missingParameter("Param interactive['type'] is required.");
  const bodyText = str(obj(payload.body)?.text);
  const action = obj(payload.action);
  if (!action) throw missingParameter("Param interactive['action'] is required.");
  const view: MessageView = { kind: 'interactive' };
  if (bodyText !== undefined) {
    length('Body text', bodyText, LIMITS.interactiveBody);
    view.text = bodyText;
  } else if (kind === 'button' || kind === 'list' || kind === 'cta_url') {
    throw missingParameter("Param interactive['body']['text'] is required.");
  }
  const footer = str(obj(payload.footer)?.text);
  if (footer !== undefined) {
    length('Footer text', footer, LIMITS.interactiveFooter);
    view.footer = footer;
  }
  const header = obj(payload.header);
  if (header) {
    const headerType = str(header.type);
    if (headerType === 'text') {
      const text = str(header.text) ?? '';
      length('Header text', text, LIMITS.interactiveHeaderText);
      view.header = text;
    } else if (headerType && ['image', 'video', 'document'].includes(headerType)) {
      const media = validateMedia(headerType, obj(header[headerType]) ?? {}, findMedia);
      view.media = media.media;
    } else {
      throw invalidValue(`Header type '${headerType ?? ''}' is not valid`);
    }
  }
  switch (kind) {
    case 'button': {
      const buttons = (arr(action.buttons) ?? []).map(obj);
      if (buttons.length < 1 || buttons.length > LIMITS.maxButtons) {
        throw invalidValue(`Buttons count invalid. Min count: 1, Max count: ${LIMITS.maxButtons}`);
      }
      const titles = new Set<string>();
      const ids = new Set<string>();
      view.buttons = buttons.map((button) => {
        const reply = obj(button?.reply);
        if (str(button?.type) !== 'reply' || !reply) throw invalidValue("Button type must be 'reply'");
        const id = str(reply.id) ?? '';
        const title = str(reply.title) ?? '';
        length('Button title', title, LIMITS.buttonTitle);
        length('Button id', id, LIMITS.buttonId);
        if (titles.has(title)) throw invalidValue('Button title must be unique');
        if (ids.has(id)) throw invalidValue('Button id must be unique');
        titles.add(title);
        ids.add(id);
        return { id, title, kind: 'reply' as const };
      });
      return view;
    }
    case 'list': {
      const button = str(action.button) ?? '';
      length('Button', button, LIMITS.listButton);
      const sections = (arr(action.sections) ?? []).map(obj);
      if (sections.length < 1 || sections.length > LIMITS.maxSections) {
        throw invalidValue(`Sections count invalid. Min count: 1, Max count: ${LIMITS.maxSections}`);
      }
      let rowCount = 0;
      const rowIds = new Set<string>();
      const list = sections.map((section) => {
        const title = str(section?.title);
        if (sections.length > 1 && !title)
          throw missingParameter('Section title is required when there is more than one section');
        if (title !== undefined) length('Section title', title, LIMITS.sectionTitle);
        const rows = (arr(section?.rows) ?? []).map(obj).map((row) => {
          const id = str(row?.id) ?? '';
          const rowTitle = str(row?.title) ?? '';
          const description = str(row?.description);
          length('Row id', id, LIMITS.rowId);
          length('Row title', rowTitle, LIMITS.rowTitle);
          if (description !== undefined) length('Row description', description, LIMITS.rowDescription, 0);
          if (rowIds.has(id)) throw invalidValue('Row id must be unique');
          rowIds.add(id);
          return { id, title: rowTitle, description };
        });
        if (rows.length === 0) throw invalidValue('Rows count invalid. Min count: 1');
        rowCount += rows.length;
        return { title: title ?? '', rows };
      });
      if (rowCount > LIMITS.maxRows)
        throw invalidValue(`Total row count exceed max allowed count: ${LIMITS.maxRows}`);
      view.list = { button, sections: list };
      return view;
    }
    case 'cta_url': {
      const parameters = obj(action.parameters);
      const display = str(parameters?.display_text);
      const url = str(parameters?.url);
      if (!display || !url)
        throw missingParameter("Param action['parameters'] display_text and url are required.");
      length('Display text', display, LIMITS.buttonTitle);
      view.buttons = [{ id: url, title: display, kind: 'url' }];
      return view;
    }
    case 'location_request_message':
    case 'flow':
    case 'product':
    case 'product_list':
    case 'catalog_message':
    case 'voice_call':
      return view;
    default:
      throw plainParameterError(
        `Param interactive['type'] must be one of {BUTTON, LIST, CTA_URL, FLOW, PRODUCT, PRODUCT_LIST, CATALOG_MESSAGE, LOCATION_REQUEST_MESSAGE, VOICE_CALL} - got "${kind}".`,
      );
  }
}
