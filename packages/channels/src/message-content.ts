/** The channels this package speaks. */
export type ChannelKind = 'whatsapp' | 'messenger' | 'instagram';

export const CHANNEL_KINDS: readonly ChannelKind[] = ['whatsapp', 'messenger', 'instagram'];

export type MediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

export const MEDIA_TYPES: readonly MediaType[] = ['image', 'video', 'audio', 'document', 'sticker'];

/**
 * A piece of media. Inbound WhatsApp media has `providerMediaId` (download it with `fetchMedia`);
 * inbound Messenger/Instagram media has a CDN `url`. Outbound: `providerMediaId` (uploaded) or a
 * public `url`.
 */
export interface MediaRef {
  providerMediaId?: string;
  url?: string;
  mimeType?: string;
  sha256?: string;
  filename?: string;
  caption?: string;
  /** WhatsApp voice note (inbound audio recorded in the app). */
  voice?: boolean;
}

export interface ContactCard {
  name: string;
  phones: { phone: string; waId?: string; type?: string }[];
  emails: { email: string; type?: string }[];
}

export type InteractiveReplyKind =
  'button_reply' | 'list_reply' | 'quick_reply' | 'postback' | 'template_button';

export type InteractiveMessage =
  | {
      kind: 'button';
      body: string;
      header?: string;
      footer?: string;
      buttons: { id: string; title: string }[];
    }
  | {
      kind: 'list';
      body: string;
      header?: string;
      footer?: string;
      button: string;
      sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
    };

/** Canonical message content, used for inbound and outbound. */
export type MessageContent =
  | { type: 'text'; text: string }
  | { type: MediaType; media: MediaRef }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; url?: string }
  | { type: 'contacts'; contacts: ContactCard[] }
  | {
      type: 'interactive_reply';
      kind: InteractiveReplyKind;
      replyId: string;
      title: string;
      description?: string;
    }
  /** `emoji: ''` = the reaction was removed. */
  | { type: 'reaction'; targetProviderMessageId: string; emoji: string }
  | { type: 'interactive'; interactive: InteractiveMessage }
  | {
      type: 'template';
      /** `components` are Meta's send components, passed through unchanged. */
      template: { name: string; language: string; components?: unknown[] };
    }
  | { type: 'unsupported'; reason: string };

export function isMediaType(value: string): value is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(value);
}
