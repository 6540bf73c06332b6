/**
 * The canonical messaging model: what the domain speaks. Channel providers (packages/channels)
 * convert Meta's wire formats to and from these types at their edge.
 */
export type ChannelKind = 'whatsapp' | 'messenger' | 'instagram';
export const CHANNEL_KINDS = ['whatsapp', 'messenger', 'instagram'] as const satisfies readonly ChannelKind[];

export type MediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';
export const MEDIA_TYPES = [
  'image',
  'video',
  'audio',
  'document',
  'sticker',
] as const satisfies readonly MediaType[];

export interface MediaRef {
  providerMediaId?: string;
  url?: string;
  mimeType?: string;
  sha256?: string;
  filename?: string;
  caption?: string;
  voice?: boolean;
}

export interface InteractiveButtons {
  kind: 'button';
  body: string;
  header?: string;
  footer?: string;
  buttons: { id: string; title: string }[];
}

export interface InteractiveList {
  kind: 'list';
  body: string;
  header?: string;
  footer?: string;
  button: string;
  sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
}

export type MessageContent =
  | { type: 'text'; text: string }
  | { type: MediaType; media: MediaRef }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; url?: string }
  | {
      type: 'contacts';
      contacts: {
        name: string;
        phones: { phone: string; waId?: string; type?: string }[];
        emails: { email: string; type?: string }[];
      }[];
    }
  | {
      type: 'interactive_reply';
      kind: 'button_reply' | 'list_reply' | 'quick_reply' | 'postback' | 'template_button';
      replyId: string;
      title: string;
      description?: string;
    }
  | { type: 'reaction'; targetProviderMessageId: string; emoji: string }
  | { type: 'interactive'; interactive: InteractiveButtons | InteractiveList }
  | { type: 'template'; template: { name: string; language: string; components?: unknown[] } }
  | { type: 'unsupported'; reason: string };

export type MessageType = MessageContent['type'];

export interface Referral {
  sourceType?: string;
  sourceId?: string;
  sourceUrl?: string;
  headline?: string;
  body?: string;
  ctwaClid?: string;
  adId?: string;
  ref?: string;
}

export interface ProviderErrorInfo {
  code: number;
  subcode?: number;
  title: string;
  details?: string;
}

/** What a worker should do about a failure. */
export type FailureClass =
  | 'rate_limited'
  | 'retryable'
  | 'window_closed'
  | 'invalid_recipient'
  | 'opted_out'
  | 'auth_revoked'
  | 'template_error'
  | 'invalid_request'
  | 'unknown';

export interface ClassifiedFailure extends ProviderErrorInfo {
  class: FailureClass;
  httpStatus?: number;
  retryAfterMs?: number;
}

/** One event parsed out of a webhook; `accountId` is the phone-number id, page id or IG account id. */
export type CanonicalEvent =
  | {
      type: 'message';
      channel: ChannelKind;
      accountId: string;
      providerMessageId: string;
      timestamp: Date;
      from: { externalId: string; phone?: string; profileName?: string };
      content: MessageContent;
      replyToProviderMessageId?: string;
      referral?: Referral;
      /** Sent by the business from elsewhere (Messenger/IG echo); `from` is the customer it went to. */
      echo?: boolean;
    }
  | {
      type: 'status';
      channel: ChannelKind;
      accountId: string;
      providerMessageId: string;
      status: 'sent' | 'delivered' | 'read' | 'failed';
      timestamp: Date;
      recipientExternalId?: string;
      callbackData?: string;
      error?: ProviderErrorInfo & { class?: FailureClass };
    }
  | {
      type: 'watermark';
      channel: ChannelKind;
      accountId: string;
      recipientExternalId: string;
      status: 'delivered' | 'read';
      watermark: Date;
      providerMessageIds?: string[];
    }
  | {
      type: 'account';
      channel: ChannelKind;
      accountId: string;
      field: string;
      data: Record<string, unknown>;
      timestamp: Date;
    };
