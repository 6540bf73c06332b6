import type { SendOptions } from './channel-provider.ts';
import { invalidContent } from './failure.ts';
import type { InteractiveMessage, MediaRef, MediaType, MessageContent } from './message-content.ts';
import type { Built } from './whatsapp-message-builder.ts';

/** Send API limits for Messenger and Instagram. */
export const MESSENGER_LIMITS = {
  /** Messenger text: 2000 characters. */
  text: 2000,
  /** Instagram text: 1000 bytes of UTF-8 [U]. */
  instagramTextBytes: 1000,
  quickReplies: 13,
  quickReplyTitle: 20,
  quickReplyPayload: 1000,
} as const;

/** Messenger/IG attachment types for our media types; stickers go out as images (by URL). */
const ATTACHMENT_TYPE: Record<MediaType, string> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'file',
  sticker: 'image',
};

class Rejected extends Error {}

function check(condition: boolean, title: string): void {
  if (!condition) throw new Rejected(title);
}

/**
 * Converts canonical content to a Send API body for a page (Messenger) or an Instagram account.
 * Reactions become `sender_action: react|unreact`; interactive buttons and lists become quick
 * replies (at most 13, titles ≤ 20); header and footer join the text.
 */
export function buildPageMessage(
  channel: 'messenger' | 'instagram',
  recipientId: string,
  content: MessageContent,
  opts: SendOptions = {},
): Built {
  try {
    const recipient = { id: recipientId };
    if (content.type === 'reaction') {
      check(content.targetProviderMessageId !== '', 'reaction needs the target message id');
      return {
        ok: true,
        body:
          content.emoji === ''
            ? {
                recipient,
                sender_action: 'unreact',
                payload: { message_id: content.targetProviderMessageId },
              }
            : {
                recipient,
                sender_action: 'react',
                payload: { message_id: content.targetProviderMessageId, reaction: content.emoji },
              },
      };
    }
    const body: Record<string, unknown> = {
      recipient,
      messaging_type: opts.humanAgentTag ? 'MESSAGE_TAG' : 'RESPONSE',
      message: messageFor(channel, content),
    };
    if (opts.humanAgentTag) body.tag = 'HUMAN_AGENT';
    return { ok: true, body };
  } catch (error) {
    if (error instanceof Rejected) return { ok: false, failure: invalidContent(error.message) };
    throw error;
  }
}

function checkText(channel: 'messenger' | 'instagram', text: string): void {
  check(text.length > 0, 'text must not be empty');
  if (channel === 'instagram') {
    check(
      Buffer.byteLength(text, 'utf8') <= MESSENGER_LIMITS.instagramTextBytes,
      `text must be at most ${MESSENGER_LIMITS.instagramTextBytes} bytes on instagram`,
    );
  } else {
    check(text.length <= MESSENGER_LIMITS.text, `text must be at most ${MESSENGER_LIMITS.text} characters`);
  }
}

function messageFor(channel: 'messenger' | 'instagram', content: MessageContent): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      checkText(channel, content.text);
      return { text: content.text };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return { attachment: attachmentFor(channel, content.type, content.media) };
    case 'interactive':
      return quickReplies(channel, content.interactive);
    case 'template':
      throw new Rejected(`templates cannot be sent on ${channel}`);
    case 'location':
    case 'contacts':
      throw new Rejected(`${content.type} cannot be sent on ${channel}`);
    case 'interactive_reply':
      throw new Rejected('interactive replies are inbound only');
    case 'unsupported':
      throw new Rejected('unsupported content cannot be sent');
    default:
      throw new Rejected('unknown content type');
  }
}

function attachmentFor(channel: string, type: MediaType, media: MediaRef): Record<string, unknown> {
  check(
    media.caption === undefined || media.caption === '',
    `captions cannot be sent on ${channel}: send the text as its own message`,
  );
  let payload: Record<string, unknown>;
  if (media.providerMediaId && type !== 'sticker') payload = { attachment_id: media.providerMediaId };
  else if (media.url) {
    check(/^https?:\/\//i.test(media.url), `${type} url must be an http(s) URL`);
    payload = { url: media.url, is_reusable: true };
  } else
    throw new Rejected(`${type} needs a url${type === 'sticker' ? '' : ' or providerMediaId'} on ${channel}`);
  return { type: ATTACHMENT_TYPE[type], payload };
}

function quickReplies(
  channel: 'messenger' | 'instagram',
  interactive: InteractiveMessage,
): Record<string, unknown> {
  const options =
    interactive.kind === 'button'
      ? interactive.buttons
      : interactive.sections.flatMap((section) =>
          section.rows.map((row) => ({ id: row.id, title: row.title })),
        );
  check(
    options.length >= 1 && options.length <= MESSENGER_LIMITS.quickReplies,
    `${channel} quick replies must number 1-${MESSENGER_LIMITS.quickReplies}`,
  );
  for (const option of options) {
    check(
      option.title.length >= 1 && option.title.length <= MESSENGER_LIMITS.quickReplyTitle,
      `quick reply titles must be 1-${MESSENGER_LIMITS.quickReplyTitle} characters on ${channel}`,
    );
    check(
      option.id.length >= 1 && option.id.length <= MESSENGER_LIMITS.quickReplyPayload,
      `quick reply ids must be 1-${MESSENGER_LIMITS.quickReplyPayload} characters`,
    );
  }
  const text = [interactive.header, interactive.body, interactive.footer]
    .filter((part) => !!part)
    .join('\n\n');
  checkText(channel, text);
  return {
    text,
    quick_replies: options.map((option) => ({
      content_type: 'text',
      title: option.title,
      payload: option.id,
    })),
  };
}
