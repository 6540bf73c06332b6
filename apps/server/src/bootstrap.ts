import type { Config } from '@parley/config';
import { Keyring, systemClock, type Clock } from '@parley/core';
import { openDatabase, type Database, type DatabaseTarget } from '@parley/db';
import type { FastifyBaseLogger } from 'fastify';
import { policyFromConfig, type AppContext } from './app-context.ts';
import { loadMasterKeys } from './master-keys.ts';
import { createChannelGateway } from './channels/channel-gateway.ts';
import { localBlobStorage } from './media/local-blob-storage.ts';
import { s3BlobStorage } from './media/s3-blob-storage.ts';
import { MetaAppRegistry } from './webhooks/meta-app-registry.ts';
import { WorkSignal } from './workers/work-signal.ts';

export function databaseTarget(config: Config): DatabaseTarget {
  return config.database.engine === 'pglite'
    ? { engine: 'pglite', dataDir: config.database.dataDir }
    : { engine: 'postgres', url: config.database.url, poolSize: config.database.poolSize };
}

/** Opens the database, applies migrations and assembles the application context. */
export async function bootstrap(
  config: Config,
  logger: FastifyBaseLogger,
  opts: { db?: Database; clock?: Clock } = {},
): Promise<AppContext> {
  const keyring = new Keyring(loadMasterKeys(config));
  const db = opts.db ?? (await openDatabase(databaseTarget(config)));
  try {
    await db.migrate();
  } catch (e) {
    if (!opts.db) await db.close();
    throw e;
  }
  const clock = opts.clock ?? systemClock;
  const metaApps = new MetaAppRegistry(db, keyring, clock);
  if (config.meta.app) await metaApps.registerConfigured(config.meta.app);
  return {
    config,
    db,
    keyring,
    policy: policyFromConfig(config),
    clock,
    logger,
    gateway: createChannelGateway(
      { baseUrl: config.meta.graphUrl, version: config.meta.graphVersion },
      { maxMediaBytes: config.media.maxBytes },
    ),
    storage:
      config.media.storage === 'local'
        ? localBlobStorage(config.media.dir)
        : s3BlobStorage(config.media.storage),
    metaApps,
    work: new WorkSignal(),
  };
}
