import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type ExtractTablesWithRelations, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.ts';
import { lockDataDir } from './data-dir-lock.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../migrations');

/** Who a transaction acts for; RLS policies read these settings. */
export interface TxScope {
  workspaceId?: string | null;
  userId?: string | null;
  operator?: boolean;
  /** The platform's own pipeline (webhook ingestion, job claiming): sees raw events, not tenant data. */
  system?: boolean;
}

export type DatabaseTarget =
  | { engine: 'pglite'; dataDir: string | null /* null = in memory */; loadDump?: Blob }
  | { engine: 'postgres'; url: string; poolSize?: number };

export interface Database {
  readonly engine: 'pglite' | 'postgres';
  /** Runs fn in a transaction as the application role, scoped by RLS to `scope`. */
  run<T>(scope: TxScope, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs fn in a transaction as the connecting (owner) role: maintenance only — CLI, migrations, tests. */
  asOwner<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Applies pending migrations under a PostgreSQL advisory lock. */
  migrate(): Promise<void>;
  /** PGlite only: a tarball of the data folder (used to seed test databases quickly). */
  dump(): Promise<Blob>;
  close(): Promise<void>;
}

const MIGRATION_LOCK_KEY = 7_263_915_001;

/** Sets (or narrows, mid-transaction) who the transaction acts for. */
export async function setScope(tx: Tx, scope: TxScope): Promise<void> {
  await tx.execute(sql`select set_config('role', 'parley_app', true),
    set_config('app.workspace_id', ${scope.workspaceId ?? ''}, true),
    set_config('app.user_id', ${scope.userId ?? ''}, true),
    set_config('app.operator', ${scope.operator ? 'on' : ''}, true),
    set_config('app.system', ${scope.system ? 'on' : ''}, true)`);
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.engine === 'pglite') return openPglite(target);
  return openPostgres(target);
}

async function openPglite(target: Extract<DatabaseTarget, { engine: 'pglite' }>): Promise<Database> {
  const lock = target.dataDir ? lockDataDir(path.dirname(target.dataDir)) : null;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const client = new PGlite({
      ...(target.dataDir ? { dataDir: target.dataDir } : {}),
      ...(target.loadDump ? { loadDataDir: target.loadDump } : {}),
    });
    await client.waitReady;
    // Both drivers build the same PgDatabase; the HKT differs only in the raw result type.
    const db = drizzle(client, { schema }) as unknown as Db;
    return {
      engine: 'pglite',
      run: (scope, fn) => db.transaction(async (tx) => (await setScope(tx, scope), fn(tx))),
      asOwner: (fn) => db.transaction(fn),
      async migrate() {
        // One process per folder (lock file), so no advisory lock is needed here.
        await migrate(drizzle(client), { migrationsFolder });
      },
      async dump() {
        const file = await client.dumpDataDir('none');
        return file;
      },
      async close() {
        await client.close();
        lock?.release();
      },
    };
  } catch (e) {
    lock?.release();
    throw e;
  }
}

async function openPostgres(target: Extract<DatabaseTarget, { engine: 'postgres' }>): Promise<Database> {
  const pg = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  // int8 as JS number (counts, sequence numbers stay far below 2^53), as PGlite returns them.
  pg.default.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  const pool = new pg.default.Pool({ connectionString: target.url, max: target.poolSize ?? 10 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries in flight still reject.
  });
  const db = drizzle(pool, { schema }) as unknown as Db;
  return {
    engine: 'postgres',
    run: (scope, fn) => db.transaction(async (tx) => (await setScope(tx, scope), fn(tx))),
    asOwner: (fn) => db.transaction(fn),
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          await migrate(drizzle(client), { migrationsFolder });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    dump() {
      return Promise.reject(new Error('dump() is only available on the embedded engine'));
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * Rows of a raw `tx.execute(sql...)`. Both drivers return `{ rows }`; drizzle types the result
 * through a driver-specific HKT that the shared `Tx` type cannot name, hence the narrowing here.
 */
export async function queryRows<T>(tx: Tx, query: SQL): Promise<T[]> {
  const result = (await tx.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
