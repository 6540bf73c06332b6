/**
 * The canonical messaging model: what the domain speaks. Channel providers (packages/channels)
 * convert Meta's wire formats to and from these types at their edge, and re-export them.
 */
/** The channels Parley speaks. */
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

/** An error as Meta reports it (Graph error envelope or a status/system `errors[]` item). */
export interface ProviderErrorInfo {
  code: number;
  subcode?: number;
  title: string;
  details?: string;
}

/** What the worker should do about a failure (see README "Failure classes"). */
export type FailureClass =
  | 'rate_limited'
  | 'retryable'
  | 'window_closed'
  | 'invalid_recipient'
  | 'opted_out'
  | 'auth_revoked'
  | 'template_error'
  | 'invalid_request'
  | 'unknown'
  /** Never from Meta: Parley itself could not carry out the send (it kept failing on our side). */
  | 'internal';

export const FAILURE_CLASSES: readonly FailureClass[] = [
  'rate_limited',
  'retryable',
  'window_closed',
  'invalid_recipient',
  'opted_out',
  'auth_revoked',
  'template_error',
  'invalid_request',
  'unknown',
  'internal',
];

export interface ClassifiedFailure extends ProviderErrorInfo {
  class: FailureClass;
  httpStatus?: number;
  /** A hint: how long to wait before trying again (rate limits, Retry-After). */
  retryAfterMs?: number;
}

/** Where the customer came from: Click-to-WhatsApp / Click-to-Messenger ad, m.me link, post. */
export interface Referral {
  sourceType?: string;
  sourceId?: string;
  sourceUrl?: string;
  headline?: string;
  body?: string;
  ctwaClid?: string;
  adId?: string;
  ref?: string;
  /** WhatsApp: `image` / `video`; the ad creative's URL in `mediaUrl`. */
  mediaType?: string;
  mediaUrl?: string;
}

export interface MessageEvent {
  type: 'message';
  channel: ChannelKind;
  /** phone_number_id (WhatsApp), page id (Messenger) or IG account id (Instagram). */
  accountId: string;
  providerMessageId: string;
  timestamp: Date;
  from: {
    /** wa_id, PSID or IGSID. */
    externalId: string;
    /** E.164 with '+', WhatsApp only (from wa_id, normalised with libphonenumber-js). */
    phone?: string;
    profileName?: string;
  };
  content: MessageContent;
  replyToProviderMessageId?: string;
  referral?: Referral;
  /** true when the business itself sent it from elsewhere (Messenger/IG echo); `from` is then the customer it was sent TO. */
  echo?: boolean;
  /** Echoes: the app that sent it (absent when sent from Meta's own inbox apps). */
  echoAppId?: string;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusEvent {
  type: 'status';
  channel: ChannelKind;
  accountId: string;
  providerMessageId: string;
  /** WhatsApp `played` (voice note) is reported as `read`. */
  status: DeliveryStatus;
  timestamp: Date;
  recipientExternalId?: string;
  /** `biz_opaque_callback_data` given when sending. */
  callbackData?: string;
  /** On `failed`: the first error, classified. */
  error?: ClassifiedFailure;
  /** WhatsApp pricing of the message (`PMP` model, category, `regular` / `free_customer_service` / …). */
  pricing?: { model?: string; category?: string; type?: string; billable?: boolean };
}

/** Messenger/IG `read`/`delivery` watermarks: every outbound message to that user up to `watermark` reached the status. */
export interface WatermarkEvent {
  type: 'watermark';
  channel: ChannelKind;
  accountId: string;
  recipientExternalId: string;
  status: 'delivered' | 'read';
  watermark: Date;
  providerMessageIds?: string[];
}

/** Account-level: template status, phone quality, capability/tier, account_update, system errors, leadgen. */
export interface AccountEvent {
  type: 'account';
  channel: ChannelKind;
  /** WABA id (WhatsApp account fields), phone number id (system errors) or page id. */
  accountId: string;
  field: string;
  data: Record<string, unknown>;
  timestamp: Date;
}

/** One canonical event parsed out of a webhook. The server routes by (channel, accountId). */
export type CanonicalEvent = MessageEvent | StatusEvent | WatermarkEvent | AccountEvent;
