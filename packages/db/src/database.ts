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
  | {
      engine: 'postgres';
      url: string;
      poolSize?: number;
      /** Connections kept for `systemStatements` (outside `poolSize`); default 2. */
      systemSessions?: number;
    };

export interface Database {
  readonly engine: 'pglite' | 'postgres';
  /** Runs fn in a transaction as the application role, scoped by RLS to `scope`. */
  run<T>(scope: TxScope, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs fn as the platform pipeline (system scope) with **each statement committing on its own**
   * (autocommit): for a caller whose work is one statement, such as storing a batch of webhook
   * deliveries. PostgreSQL: on a session of its own (`systemSessions` connections) whose scope was
   * set once when it connected, so the statement is the only round trip, where `run` pays four
   * (BEGIN, scope, statement, COMMIT). PGlite: the same as `run({ system: true }, fn)`.
   */
  systemStatements<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs fn in a transaction as the connecting (owner) role: maintenance only — CLI, migrations, tests. */
  asOwner<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Applies pending migrations under a PostgreSQL advisory lock. */
  migrate(): Promise<void>;
  /** PGlite only: a tarball of the data folder (used to seed test databases quickly). */
  dump(): Promise<Blob>;
  /**
   * LISTEN on `channel` (lowercase identifier) and call onPayload for each NOTIFY, delivered when
   * the notifying transaction commits. PostgreSQL: a dedicated connection outside the pool,
   * re-established with backoff when it drops; notifications sent meanwhile are lost, so
   * `onReconnect` tells the caller to re-read what it follows. Resolves to a stop function.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    hooks?: ListenHooks,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ListenHooks {
  /** The listening connection was lost and is back: notifications may have been missed. */
  onReconnect?: () => void;
  /** The listening connection failed (it is being re-established). */
  onError?: (err: unknown) => void;
}

const MIGRATION_LOCK_KEY = 7_263_915_001;

/** Sets (or narrows, mid-transaction) who the transaction acts for. */
export async function setScope(tx: Tx, scope: TxScope): Promise<void> {
  await tx.execute(scopeStatement(scope, 'transaction'));
}

/** The application role and RLS settings for `scope`, for the transaction or the whole session. */
function scopeStatement(scope: TxScope, lasting: 'transaction' | 'session'): SQL {
  const local = lasting === 'transaction';
  return sql`select set_config('role', 'parley_app', ${local}),
    set_config('app.workspace_id', ${scope.workspaceId ?? ''}, ${local}),
    set_config('app.user_id', ${scope.userId ?? ''}, ${local}),
    set_config('app.operator', ${scope.operator ? 'on' : ''}, ${local}),
    set_config('app.system', ${scope.system ? 'on' : ''}, ${local})`;
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
      // One connection, and round trips that cost nothing: a transaction is as cheap.
      systemStatements: (fn) => db.transaction(async (tx) => (await setScope(tx, { system: true }), fn(tx))),
      asOwner: (fn) => db.transaction(fn),
      async migrate() {
        // One process per folder (lock file), so no advisory lock is needed here.
        await migrate(drizzle(client), { migrationsFolder });
      },
      async dump() {
        const file = await client.dumpDataDir('none');
        return file;
      },
      async listen(channel, onPayload) {
        // One in-process connection: nothing to lose, so no reconnect.
        const unlisten = await client.listen(listenChannel(channel), onPayload);
        return async () => (client.closed ? undefined : unlisten());
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
  const listeners = new Set<() => Promise<void>>();
  const system = systemSessions(pg.default, drizzle, target);
  return {
    engine: 'postgres',
    run: (scope, fn) => db.transaction(async (tx) => (await setScope(tx, scope), fn(tx))),
    systemStatements: (fn) => system.run(fn),
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
    async listen(channel, onPayload, hooks = {}) {
      const stop = await listenPostgres(pg.default, target.url, listenChannel(channel), onPayload, hooks);
      const stopOnce = async () => (listeners.delete(stopOnce), stop());
      listeners.add(stopOnce);
      return stopOnce;
    },
    async close() {
      await Promise.all([...listeners].map((stop) => stop()));
      await Promise.all([pool.end(), system.end()]);
    },
  };
}

/**
 * The connections behind `systemStatements`: a pool of its own, each connection scoped to the
 * system pipeline once, at session level, before its first use. A connection whose scoping
 * failed is never used (fail closed: a statement never runs as the owner role): like any
 * connection that saw an error, it is discarded and the next use connects anew.
 */
function systemSessions(
  pg: typeof import('pg').default,
  drizzle: typeof import('drizzle-orm/node-postgres').drizzle,
  target: Extract<DatabaseTarget, { engine: 'postgres' }>,
) {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.systemSessions ?? 2,
    application_name: 'parley-system',
  });
  pool.on('error', () => {
    // As for the main pool: the lost idle client is replaced on the next use.
  });
  type Client = import('pg').PoolClient;
  const scoped = new WeakMap<Client, Tx>();
  const scope = scopeStatement({ system: true }, 'session');
  return {
    async run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        let session = scoped.get(client);
        if (!session) {
          const plain = drizzle(client, { schema }) as unknown as Tx;
          await plain.execute(scope);
          session = plain;
          scoped.set(client, session);
        }
        const result = await fn(session);
        client.release();
        return result;
      } catch (err) {
        // Errors are rare here; after one the connection is not trusted (nor kept if never scoped).
        client.release(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
    },
    end: () => pool.end(),
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

function listenChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid LISTEN channel: ${channel}`);
  return channel;
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to other queries). When it
 * drops (error, end, or a ping that fails) it is reopened with exponential backoff up to 5 s,
 * and `onReconnect` runs once LISTEN is back in place.
 */
async function listenPostgres(
  pg: typeof import('pg').default,
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
  hooks: ListenHooks,
): Promise<() => Promise<void>> {
  type Client = InstanceType<typeof pg.Client>;
  let current: Client | null = null;
  let stopped = false;
  let attempt = 0;
  let retry: NodeJS.Timeout | null = null;

  const open = async (): Promise<void> => {
    const client = new pg.Client({
      connectionString: url,
      application_name: 'parley-listen',
      keepAlive: true,
    });
    current = client;
    client.on('notification', (m) => {
      if (m.channel === channel && m.payload !== undefined) onPayload(m.payload);
    });
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client, null));
    await client.connect();
    await client.query(`LISTEN ${channel}`);
  };
  const lost = (client: Client, err: unknown) => {
    if (client !== current || stopped) return;
    current = null;
    if (err) hooks.onError?.(err);
    client.end().catch(() => undefined);
    reconnectLater();
  };
  const reconnectLater = () => {
    if (retry || stopped) return;
    const delay = Math.min(5000, 100 * 2 ** attempt++) * (0.5 + Math.random() / 2);
    retry = setTimeout(() => {
      retry = null;
      if (stopped) return;
      open().then(
        () => {
          attempt = 0;
          if (stopped) void (current as Client | null)?.end().catch(() => undefined);
          else hooks.onReconnect?.();
        },
        (err: unknown) => {
          if (current) lost(current, err);
          else reconnectLater();
        },
      );
    }, delay);
  };
  // A half-open TCP connection raises no error: a periodic query finds it.
  const ping = setInterval(() => {
    const client = current;
    if (!client || retry) return;
    const timeout = setTimeout(() => lost(client, new Error('LISTEN connection ping timed out')), 10_000);
    timeout.unref();
    client.query('select 1').then(
      () => clearTimeout(timeout),
      (err: unknown) => (clearTimeout(timeout), lost(client, err)),
    );
  }, 30_000);
  ping.unref();

  try {
    await open();
  } catch (err) {
    stopped = true;
    clearInterval(ping);
    if (retry) clearTimeout(retry);
    await (current as Client | null)?.end().catch(() => undefined);
    throw err;
  }
  return async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(ping);
    if (retry) clearTimeout(retry);
    const client = current;
    current = null;
    await client?.end().catch(() => undefined);
  };
}
