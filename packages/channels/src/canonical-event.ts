import type { CanonicalEvent } from '@parley/core';

/** The canonical events are the domain's (packages/core); the parsers produce them. */
export type {
  AccountEvent,
  CanonicalEvent,
  DeliveryStatus,
  MessageEvent,
  Referral,
  StatusEvent,
  WatermarkEvent,
} from '@parley/core';

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
