import type { Config } from '@parley/config';
import type { AuthPolicy, Clock, Keyring } from '@parley/core';
import {
  auditRepository,
  dataKeyRepository,
  identityRepository,
  rateLimitRepository,
  workspaceRepository,
  type Database,
  type Tx,
} from '@parley/db';
import { wrappedKeyMasterId } from '@parley/core';
import type { FastifyBaseLogger } from 'fastify';

/** Everything a request or job needs, built once at boot (the composition root). */
export interface AppContext {
  config: Config;
  db: Database;
  keyring: Keyring;
  policy: AuthPolicy;
  clock: Clock;
  logger: FastifyBaseLogger;
}

/** The repositories bound to one transaction, with the services use cases take beside them. */
export function storesFor(ctx: AppContext, tx: Tx) {
  return {
    identity: identityRepository(tx),
    workspaces: workspaceRepository(tx),
    audit: auditRepository(tx),
    rateLimits: rateLimitRepository(tx),
    dataKeys: dataKeyRepository(tx, wrappedKeyMasterId),
    keyring: ctx.keyring,
    policy: ctx.policy,
    now: ctx.clock.now(),
  };
}

export type Stores = ReturnType<typeof storesFor>;

export function policyFromConfig(config: Config): AuthPolicy {
  return {
    sessionIdleMs: config.session.idleMinutes * 60_000,
    sessionAbsoluteMs: config.session.absoluteHours * 3600_000,
    mfaPendingMs: 10 * 60_000,
    rateLimitMax: config.authRateLimit.max,
    rateLimitWindowMs: config.authRateLimit.windowMinutes * 60_000,
    passwordResetMs: 60 * 60_000,
    invitationMs: 7 * 24 * 3600_000,
  };
}
