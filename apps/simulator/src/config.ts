/**
 * Tunable behaviour of the simulator. Everything Meta does not document precisely (marked
 * [U] in the platform reference) is a setting here, with the most plausible default.
 */

export interface TimingConfig {
  /** Delay from an accepted send to the `sent` status webhook. */
  sentMs: number;
  /** Delay from `sent` to `delivered`. */
  deliveredMs: number;
  /** Delay from `delivered` to an automatic `read`; `null` = only when the customer reads (phone page / control API). */
  readMs: number | null;
  /** Template review duration (PENDING → APPROVED/REJECTED). */
  reviewMs: number;
  /** Webhook POST timeout. */
  webhookTimeoutMs: number;
  /** First retry delay; doubles every attempt up to `webhookRetryMaxMs`. */
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  /** Meta retries for up to 7 days; the simulator gives up after this many attempts. */
  webhookMaxAttempts: number;
  /** Lifetime of a media download URL (Meta: ~5 minutes). */
  mediaUrlTtlMs: number;
  /**
   * [U] Lifetime of the CDN URL of a Messenger/Instagram customer attachment (`payload.url`). The
   * reference gives none; Meta's CDN links are signed and expire, so download them on receipt.
   */
  attachmentUrlTtlMs: number;
  /** A typing indicator ends after this long or on the next reply (Meta: 25 s). */
  typingIndicatorMs: number;
}

export const defaultTiming: TimingConfig = {
  sentMs: 150,
  deliveredMs: 600,
  readMs: 2500,
  reviewMs: 5000,
  webhookTimeoutMs: 10_000,
  webhookRetryBaseMs: 1000,
  webhookRetryMaxMs: 3600_000,
  // 1 s doubling to 1 h, then hourly: about 7 days, like Meta.
  webhookMaxAttempts: 180,
  mediaUrlTtlMs: 5 * 60_000,
  attachmentUrlTtlMs: 3 * 24 * 3600_000,
  typingIndicatorMs: 25_000,
};

/** Timing for tests: everything immediate, retries quick. */
export const fastTiming: TimingConfig = {
  sentMs: 0,
  deliveredMs: 0,
  readMs: 0,
  reviewMs: 0,
  webhookTimeoutMs: 2000,
  webhookRetryBaseMs: 10,
  webhookRetryMaxMs: 100,
  webhookMaxAttempts: 6,
  mediaUrlTtlMs: 5 * 60_000,
  attachmentUrlTtlMs: 3 * 24 * 3600_000,
  typingIndicatorMs: 25_000,
};

/** Platform rules. Each can be switched globally and overridden per phone number / page. */
export interface RuleConfig {
  /** WhatsApp 24 h customer service window: free-form outside → accepted, then failed 131047. */
  customerServiceWindow: boolean;
  windowMs: number;
  /** Template must exist and be APPROVED (132001), not PAUSED (132015) / DISABLED (132016). */
  templateStatus: boolean;
  /** Template parameter count/format (132000 / 132012). */
  templateParameters: boolean;
  /** Messages per second per number, inbound + outbound (130429). */
  throughput: boolean;
  /** Pair rate limit, one business number → one user (131056). */
  pairRateLimit: boolean;
  /** Sustained rate: messages per second to one user (Meta: ~1 per 6 s). */
  pairRatePerSecond: number;
  /** Burst tolerated before 131056 [U] (Meta: "short bursts", reportedly ~45). */
  pairBurst: number;
  /** Portfolio messaging limit (unique users outside the CSW per moving 24 h). */
  messagingLimit: boolean;
  /** [U] Meta documents no error for this; the simulator fails such sends with this code. */
  messagingLimitErrorCode: number;
  /** [U] `async` = accepted then a failed status; `sync` = HTTP error. */
  messagingLimitErrorMode: 'async' | 'sync';
  /** Users who stopped marketing messages get marketing templates failed with 131050. */
  marketingOptOut: boolean;
  /** Numbers not on WhatsApp get sends failed with 131026. */
  unregisteredRecipients: boolean;
  /** [U] HTTP status of throttling errors (130429, 131056): Meta reports 400 and 429 inconsistently. */
  throttleHttpStatus: number;
  /** Recipients the simulator has never seen: `register` = create them as WhatsApp users, `unregistered` = treat as not on WhatsApp. */
  unknownRecipients: 'register' | 'unregistered';
  /** Messenger/Instagram 24 h standard window and 7-day HUMAN_AGENT tag (error 10). */
  messengerWindow: boolean;
  humanAgentWindowMs: number;
  /** [U] Subcode for Instagram sends outside the window (Messenger uses 2018278). */
  instagramWindowSubcode: number;
  /** [U] Accept Messenger tags other than HUMAN_AGENT (ACCOUNT_UPDATE, …) outside the window. */
  messengerOtherTagsAllowed: boolean;
  /** Require `messaging_type` on Messenger/Instagram sends (Meta documents it as required). */
  requireMessagingType: boolean;
  /** Deliver page/Instagram webhooks only to apps installed with `POST /{page-id}/subscribed_apps`. */
  requirePageSubscription: boolean;
  /**
   * User Profile API (`GET /{psid|igsid}`): answer only for a person who has written to the Page /
   * Instagram account (Meta's consent rule: a message, a postback, an icebreaker).
   */
  userProfileConsent: boolean;
  /**
   * [U] The User Profile API takes the Page access token (Instagram: the linked Page's). Whether a
   * system-user token of the same business is accepted is not documented; `true` refuses it (100/33).
   */
  userProfileRequiresPageToken: boolean;
  /** [U] Messenger "no profile available" (privacy, no consent): `(#100)` with this subcode. */
  messengerProfileErrorSubcode: number;
  /** [U] Instagram "User consent is required to access user profile": this code. */
  instagramProfileErrorCode: number;
}

export const defaultRules: RuleConfig = {
  customerServiceWindow: true,
  windowMs: 24 * 3600_000,
  templateStatus: true,
  templateParameters: true,
  throughput: true,
  pairRateLimit: true,
  pairRatePerSecond: 1 / 6,
  pairBurst: 45,
  messagingLimit: true,
  messagingLimitErrorCode: 131048,
  messagingLimitErrorMode: 'async',
  marketingOptOut: true,
  unregisteredRecipients: true,
  throttleHttpStatus: 400,
  unknownRecipients: 'register',
  messengerWindow: true,
  humanAgentWindowMs: 7 * 24 * 3600_000,
  instagramWindowSubcode: 2534022,
  messengerOtherTagsAllowed: true,
  requireMessagingType: true,
  requirePageSubscription: true,
  userProfileConsent: true,
  userProfileRequiresPageToken: true,
  messengerProfileErrorSubcode: 2018218,
  instagramProfileErrorCode: 230,
};

/** Faults injected into the Graph API responses. */
export interface GraphFaults {
  /** Probability (0..1) that a Graph request fails with a 5xx. */
  errorRate: number;
  /** The next N Graph requests fail with a 5xx (deterministic, for tests). */
  errorNext: number;
  errorStatus: number;
  /** Added latency per Graph request. */
  latencyMs: number;
  /**
   * Probability that a User Profile API lookup is refused as "profile not available" (as Meta
   * does for some people's privacy settings); the refusal is the rule's Messenger/Instagram error.
   */
  profileUnavailableRate: number;
  /** The next N User Profile API lookups are refused that way (deterministic, for tests). */
  profileUnavailableNext: number;
}

/** Faults injected into webhook delivery. */
export interface WebhookFaults {
  /** Probability that a webhook is delivered twice. */
  duplicateRate: number;
  duplicateNext: number;
  /** Probability that a webhook is silently dropped (never delivered, never retried). */
  dropRate: number;
  dropNext: number;
  /** Hold this many webhooks and deliver them in reverse order (0/1 = off). */
  reorderWindow: number;
  /** Merge up to this many queued webhooks of one app into one POST (several entries/changes). */
  batchSize: number;
  /** Added delay before each webhook POST. */
  latencyMs: number;
}

export interface FaultConfig {
  graph: GraphFaults;
  webhooks: WebhookFaults;
}

export function noFaults(): FaultConfig {
  return {
    graph: {
      errorRate: 0,
      errorNext: 0,
      errorStatus: 500,
      latencyMs: 0,
      profileUnavailableRate: 0,
      profileUnavailableNext: 0,
    },
    webhooks: {
      duplicateRate: 0,
      duplicateNext: 0,
      dropRate: 0,
      dropNext: 0,
      reorderWindow: 0,
      batchSize: 1,
      latencyMs: 0,
    },
  };
}
