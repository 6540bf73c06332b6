import type { Config } from '@parley/config';
import type { AuthPolicy, BlobStorage, ChannelGateway, Clock, Keyring } from '@parley/core';
import type { MetaAppRegistry } from './webhooks/meta-app-registry.ts';
import type { WorkSignal } from './workers/work-signal.ts';
import {
  auditRepository,
  channelRepository,
  contactFieldRepository,
  contactRepository,
  conversationRepository,
  dataKeyRepository,
  identityRepository,
  jobQueue,
  mediaRepository,
  messageRepository,
  rateLimitRepository,
  workspaceRepository,
  type Database,
  type Tx,
} from '@parley/db';
import { wrappedKeyMasterId } from '@parley/core';
import { realtimeRepository } from '@parley/db/repositories/realtime-repository';
import { uploadStore } from './media/upload-store.ts';
import type { FastifyBaseLogger } from 'fastify';

/** Everything a request or job needs, built once at boot (the composition root). */
export interface AppContext {
  config: Config;
  db: Database;
  keyring: Keyring;
  policy: AuthPolicy;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** Meta, through the channel providers (the simulator by default). */
  gateway: ChannelGateway;
  /** Where received media is stored (encrypted). */
  storage: BlobStorage;
  /** The Meta apps whose webhooks are accepted. */
  metaApps: MetaAppRegistry;
  /** Wakes this process's workers when work was just stored. */
  work: WorkSignal;
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

/**
 * The conversations context's repositories for one workspace, in one transaction. Personal fields
 * are encrypted and decrypted with the workspace's keys on the way through.
 */
export function conversationStoresFor(ctx: AppContext, tx: Tx, workspaceId: string) {
  const dataKeys = dataKeyRepository(tx, wrappedKeyMasterId);
  const cipher = ctx.keyring.fieldCipher(dataKeys, workspaceId);
  return {
    cipher,
    channels: channelRepository(tx, cipher),
    contacts: contactRepository(tx, cipher),
    contactFields: contactFieldRepository(tx, workspaceId, cipher),
    conversations: conversationRepository(tx, cipher),
    messages: messageRepository(tx, cipher),
    media: mediaRepository(tx),
    uploads: uploadStore(ctx.storage, cipher, workspaceId),
    jobs: jobQueue(tx, workspaceId, () => ctx.clock.now()),
    realtime: realtimeRepository(tx, workspaceId),
    audit: auditRepository(tx),
    now: ctx.clock.now(),
  };
}

export type ConversationStores = ReturnType<typeof conversationStoresFor>;

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
