import type { FaultConfig, RuleConfig, TimingConfig } from './config.ts';
import type { SimClock } from './clock.ts';
import type { IdFactory } from './ids.ts';
import type { Random } from './random.ts';
import type { PairRateLimiter } from './rules/pair-rate-limit.ts';
import type { ThroughputLimiter } from './rules/throughput.ts';
import type { Scheduler } from './scheduler.ts';
import type { SimStore } from './state/store.ts';
import type { WebhookSender } from './webhooks/webhook-sender.ts';

/** Everything a simulator module needs, passed explicitly (no globals: several simulators may run in one process). */
export interface SimContext {
  store: SimStore;
  clock: SimClock;
  ids: IdFactory;
  scheduler: Scheduler;
  random: Random;
  webhooks: WebhookSender;
  throughput: ThroughputLimiter;
  pairs: PairRateLimiter;
  timing: TimingConfig;
  rules: RuleConfig;
  faults: FaultConfig;
  /** Graph API version used in generated URLs (any `vX.Y` is accepted on input). */
  apiVersion: string;
  /** Public base URL, known once listening (e.g. `http://127.0.0.1:4000`). */
  baseUrl: string;
}

/** Global rules with the account's own overrides (phone number, page or Instagram account). */
export function rulesFor(ctx: SimContext, accountId: string): RuleConfig {
  const own =
    ctx.store.phones.get(accountId)?.rules ??
    ctx.store.pages.get(accountId)?.rules ??
    ctx.store.instagrams.get(accountId)?.rules;
  return own && Object.keys(own).length > 0 ? { ...ctx.rules, ...own } : ctx.rules;
}
