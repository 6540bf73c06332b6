import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '@parley/db';

export type TestEngine = 'pglite' | 'postgres';

/** The engine this test process runs on: PARLEY_TEST_ENGINE, set by scripts/test.mjs (default pglite). */
export function testEngine(): TestEngine {
  return process.env.PARLEY_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';
}

export interface TestDatabase {
  db: Database;
  engine: TestEngine;
  /** Connection URL of the test database (postgres only) — for child processes such as the CLI. */
  url: string | null;
  close(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('PARLEY_TEST_ENGINE=postgres needs DATABASE_URL');
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A fresh, migrated database of its own for one test file: an in-memory PGlite (loaded from the
 * migrated dump scripts/test.mjs prepares, when present), or a new database on the PostgreSQL
 * server that is dropped on close.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testEngine() === 'pglite') {
    const dumpPath = process.env.PARLEY_TEST_PGLITE_DUMP;
    const loadDump = dumpPath && fs.existsSync(dumpPath) ? new Blob([fs.readFileSync(dumpPath)]) : undefined;
    const db = await openDatabase({ engine: 'pglite', dataDir: null, ...(loadDump ? { loadDump } : {}) });
    await db.migrate();
    return { db, engine: 'pglite', url: null, close: () => db.close() };
  }
  const pg = await import('pg');
  // Named after the test run (scripts/test.mjs sweeps up its own leftovers by that prefix).
  const run = /^[0-9a-f]{1,12}$/.test(process.env.PARLEY_TEST_RUN_ID ?? '')
    ? process.env.PARLEY_TEST_RUN_ID
    : 'x';
  const name = `parley_t_${run}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.default.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl(), name);
  const db = await openDatabase({ engine: 'postgres', url, poolSize: 5 });
  await db.migrate();
  return {
    db,
    engine: 'postgres',
    url,
    async close() {
      await db.close();
      const c = new pg.default.Client({ connectionString: serverUrl() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
