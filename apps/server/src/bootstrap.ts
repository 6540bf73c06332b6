import type { Config } from '@parley/config';
import { Keyring, systemClock, type Clock } from '@parley/core';
import { openDatabase, type Database, type DatabaseTarget } from '@parley/db';
import type { FastifyBaseLogger } from 'fastify';
import { policyFromConfig, type AppContext } from './app-context.ts';
import { loadMasterKeys } from './master-keys.ts';

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
  return { config, db, keyring, policy: policyFromConfig(config), clock: opts.clock ?? systemClock, logger };
}
