import type { ClassifiedFailure } from './failure.ts';
import type { ChannelKind, MessageContent } from './message-content.ts';

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

export interface WebhookProblem {
  /** Where in the body, e.g. `entry[0].changes[1].value.messages[2]`. */
  path: string;
  reason: string;
}

export interface ParsedWebhook {
  events: CanonicalEvent[];
  /** Parts we could not understand: kept so nothing is silently lost. */
  problems: WebhookProblem[];
}
