import type { ClassifiedFailure } from './failure.ts';
import type { ChannelKind, MediaRef, MessageContent } from './message-content.ts';

export interface GraphOptions {
  /** e.g. `http://127.0.0.1:4000` (simulator) or `https://graph.facebook.com`. */
  baseUrl: string;
  /** Default `v23.0`. */
  version?: string;
  /** Per Graph API call (default 30 s). */
  timeoutMs?: number;
  /** Per media download, body included (default 120 s). */
  downloadTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** The credentials of one connected number, page or Instagram account. */
export interface ChannelAccount {
  kind: ChannelKind;
  /** phone_number_id, page id or IG account id. */
  accountId: string;
  accessToken: string;
  wabaId?: string;
}

export type SendResult = { ok: true; providerMessageId: string } | { ok: false; failure: ClassifiedFailure };

export interface SendOptions {
  /** Our message id → `biz_opaque_callback_data` (WhatsApp; echoed in status events as `callbackData`). */
  callbackData?: string;
  /** WhatsApp quoted reply (`context.message_id`). Ignored on Messenger/Instagram [U]. */
  replyToProviderMessageId?: string;
  /** Messenger/IG: send with MESSAGE_TAG + HUMAN_AGENT (outside 24 h, ≤ 7 days, typed by a human). */
  humanAgentTag?: boolean;
}

export interface ChannelCapabilities {
  templates: boolean;
  interactive: boolean;
  reactions: boolean;
  markRead: boolean;
  /** Customer service window after the customer's last message. */
  windowMs: number;
  /** Messenger/IG HUMAN_AGENT tag window; null where there is none (WhatsApp). */
  humanAgentWindowMs: number | null;
  /** Longest text message accepted. */
  maxTextLength: number;
  /** Captions on image/video/document. */
  mediaCaptions: boolean;
  /** How `interactive` lists are sent: natively (WhatsApp) or as quick replies (≤ 13 rows). */
  lists: 'native' | 'quick_replies';
  /** Outbound location and contact cards. */
  locationAndContacts: boolean;
}

export interface FetchedMedia {
  bytes: Buffer;
  mimeType: string;
  filename?: string;
}

export interface UploadFile {
  bytes: Buffer;
  mimeType: string;
  filename?: string;
}

export type UploadResult = { ok: true; providerMediaId: string } | { ok: false; failure: ClassifiedFailure };

export interface HealthReport {
  tokenValid: boolean;
  qualityRating?: string;
  messagingTier?: string;
  displayName?: string;
  /** WhatsApp: the number as Meta displays it. Instagram: the @username (without '@'). */
  handle?: string;
  error?: ClassifiedFailure;
}

/**
 * A customer's public profile from Meta's User Profile API (Messenger: first and last name joined;
 * Instagram: name and username). `name` is null when the person has set none.
 */
export interface CustomerProfile {
  name: string | null;
  /** Instagram only: the @username, without '@'. */
  username?: string;
}

export interface ChannelProvider {
  readonly kind: ChannelKind;
  readonly capabilities: ChannelCapabilities;
  /**
   * Resolves `{ok:false}` for every error Meta answers (and for content the channel cannot send);
   * throws `ChannelError` for network failures, timeouts and unreadable answers.
   */
  send(
    account: ChannelAccount,
    toExternalId: string,
    content: MessageContent,
    opts?: SendOptions,
  ): Promise<SendResult>;
  /** WhatsApp `status:"read"` (optionally with the typing indicator); Messenger/IG `mark_seen`. */
  markRead(
    account: ChannelAccount,
    args: { providerMessageId: string; customerExternalId: string; typingIndicator?: boolean },
  ): Promise<SendResult | { ok: true }>;
  /** Downloads inbound media: WhatsApp GET /{media-id} then GET url with the Bearer token; Messenger/IG fetch the CDN url (no token). */
  fetchMedia(
    account: ChannelAccount,
    media: MediaRef,
    opts?: { maxBytes?: number; timeoutMs?: number },
  ): Promise<FetchedMedia>;
  /**
   * Uploads a file to send (WhatsApp `POST /{phone-number-id}/media`) and returns Meta's media id,
   * for `{image|video|audio|document|sticker: {id}}`. Resolves `{ok:false}` where the channel
   * takes no uploads (Messenger/Instagram here: media by link only).
   */
  uploadMedia(account: ChannelAccount, file: UploadFile): Promise<UploadResult>;
  /** Token validity + WhatsApp quality rating, messaging tier, names. Token errors → `{tokenValid:false}`. */
  checkHealth(account: ChannelAccount): Promise<HealthReport>;
  /**
   * The name of a person who wrote to the account: Messenger `GET /{psid}?fields=first_name,last_name`,
   * Instagram `GET /{igsid}?fields=name,username`, with the account's (Page) token. Meta's errors
   * (no consent, privacy, a bad token) throw `ChannelError` with the classified failure, as do
   * network failures. WhatsApp has no such lookup (the name comes in the webhook): it throws
   * `invalid_request` without a request.
   */
  fetchProfile(account: ChannelAccount, customerExternalId: string): Promise<CustomerProfile>;
}

export const DEFAULT_MAX_MEDIA_BYTES = 100 * 1024 * 1024;
