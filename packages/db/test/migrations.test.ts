import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '@parley/db';
import { createTestDatabase, testEngine, type TestDatabase } from '@parley/testing';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => t.close());

test('migrating again is a no-op', async () => {
  await t.db.migrate();
  await t.db.migrate();
  const [row] = await t.db.asOwner((tx) =>
    queryRows<{ n: number }>(tx, sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
  );
  assert.ok((row?.n ?? 0) >= 2);
});

test(
  'several processes migrating one PostgreSQL database at once take turns (advisory lock)',
  { skip: testEngine() !== 'postgres' && 'PostgreSQL server only' },
  async () => {
    // A brand-new database, migrated by four connections pools at the same moment.
    const url = new URL(t.url!);
    const name = `${url.pathname.slice(1)}_m`;
    const pg = await import('pg');
    const admin = new pg.default.Client({ connectionString: t.url! });
    await admin.connect();
    await admin.query(`create database ${name}`);
    url.pathname = `/${name}`;
    try {
      const dbs = await Promise.all(
        [1, 2, 3, 4].map(() => openDatabase({ engine: 'postgres', url: url.toString(), poolSize: 2 })),
      );
      await Promise.all(dbs.map((db) => db.migrate()));
      const [row] = await dbs[0]!.asOwner((tx) =>
        queryRows<{ n: number }>(tx, sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      );
      assert.equal(
        row?.n,
        fs.readdirSync(path.resolve(import.meta.dirname, '../migrations')).filter((f) => f.endsWith('.sql'))
          .length,
      );
      await Promise.all(dbs.map((db) => db.close()));
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  },
);

test(
  'a second process on the same embedded data folder is refused with a clear message',
  { skip: testEngine() !== 'pglite' && 'embedded engine only' },
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-lock-'));
    const dataDir = path.join(dir, 'pglite');
    const db = await openDatabase({ engine: 'pglite', dataDir });
    try {
      const child = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `import('@parley/db').then(m => m.openDatabase({ engine: 'pglite', dataDir: ${JSON.stringify(dataDir)} })).then(() => process.exit(0), e => { console.error(e.message); process.exit(3); })`,
        ],
        { cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8' },
      );
      assert.equal(child.status, 3, child.stderr);
      assert.match(child.stderr, /in use by another Parley process \(pid \d+\)/);
    } finally {
      await db.close();
    }
    // Once released, the folder opens again.
    const again = await openDatabase({ engine: 'pglite', dataDir });
    await again.close();
    fs.rmSync(dir, { recursive: true, force: true });
  },
);
