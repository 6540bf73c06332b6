#!/usr/bin/env node
// The whole test suite: every test file on embedded PostgreSQL (PGlite); the database suites
// again on a PostgreSQL server when DATABASE_URL is set; browser suites when Chromium is present.
// Prints what it skipped and why; with PARLEY_TEST_REQUIRE_ALL=1 (CI) a skipped suite fails the run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const requireAll = process.env.PARLEY_TEST_REQUIRE_ALL === '1';
const filter = process.argv.slice(2); // optional substrings to select files

function findTests(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') findTests(p, out);
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out;
}

const all = ['apps', 'packages']
  .flatMap((top) => fs.readdirSync(path.join(root, top)).map((name) => path.join(root, top, name, 'test')))
  .flatMap((dir) => findTests(dir))
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
  .sort();
const isBrowser = (f) => f.endsWith('.browser.test.ts');
// Suites that touch the database run on each engine; the rest (pure logic, simulator) once.
const usesDatabase = (f) =>
  f.startsWith('apps/server/') || f.startsWith('packages/db/') || f.startsWith('packages/testing/');

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const skipped = [];
const totals = { pass: 0, fail: 0, skip: 0 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));

function run(label, files, env) {
  if (files.length === 0) return true;
  console.log(`\n=== ${label}: ${files.length} test files ===`);
  const res = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${Math.max(2, os.availableParallelism())}`,
      // A stuck test fails after 4 minutes, and a file whose tests are done exits even if a
      // handle is left open, so one hang can never stall the whole run.
      '--test-timeout=240000',
      '--test-force-exit',
      '--test-reporter=spec',
      ...files,
    ],
    {
      cwd: root,
      stdio: ['inherit', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
      maxBuffer: 256 * 1024 * 1024,
      timeout: 25 * 60_000,
    },
  );
  // The spec reporter's closing summary ("ℹ pass 12") is read from its output, which is also shown.
  const output = res.stdout?.toString('utf8') ?? '';
  process.stdout.write(output);
  if (res.error) console.log(`${label}: ${res.error.message}`);
  const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
  totals.pass += count('pass');
  totals.fail += count('fail') + count('cancelled');
  totals.skip += count('skipped');
  return res.status === 0;
}

/** Each test file drops its own database; this sweeps up after a file that crashed. */
async function dropLeftoverTestDatabases(url, runId) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('select datname from pg_database where datname like $1', [
    `parley_t_${runId}_%`,
  ]);
  for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  await client.end();
  if (rows.length > 0) console.log(`dropped ${rows.length} test database(s) left by a crashed test file`);
}

let ok = true;
const dump = path.join(tmp, 'migrated.tar');
const prep = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/prepare-test-dump.ts', dump], {
  cwd: root,
  stdio: 'inherit',
});
if (prep.status !== 0) {
  console.error('could not prepare the migrated test database');
  process.exit(1);
}

const unit = all.filter((f) => !isBrowser(f));
ok = run('pglite', unit, { PARLEY_TEST_ENGINE: 'pglite', PARLEY_TEST_PGLITE_DUMP: dump }) && ok;

const dbSuites = unit.filter(usesDatabase);
if (process.env.DATABASE_URL) {
  // Test databases are named after this run, so the sweep below never touches another run's.
  const runId = Math.random().toString(16).slice(2, 8);
  ok = run('postgres', dbSuites, { PARLEY_TEST_ENGINE: 'postgres', PARLEY_TEST_RUN_ID: runId }) && ok;
  await dropLeftoverTestDatabases(process.env.DATABASE_URL, runId);
} else if (dbSuites.length > 0) {
  skipped.push(`PostgreSQL server suite (${dbSuites.length} files): DATABASE_URL is not set`);
}

const browser = all.filter(isBrowser);
if (browser.length > 0) {
  if (chromium)
    ok =
      run('browser', browser, {
        PARLEY_TEST_ENGINE: 'pglite',
        PARLEY_TEST_PGLITE_DUMP: dump,
        CHROMIUM_PATH: chromium,
      }) && ok;
  else
    skipped.push(`browser suite (${browser.length} files): Chromium not found (apt-get install -y chromium)`);
}

fs.rmSync(tmp, { recursive: true, force: true });
console.log('');
for (const s of skipped) console.log(`skipped: ${s}`);
if (skipped.length > 0 && requireAll) {
  console.log('PARLEY_TEST_REQUIRE_ALL=1: skipped suites are failures here.');
  ok = false;
}
console.log(`tests: ${totals.pass} passed, ${totals.fail} failed`);
process.exit(ok && totals.fail === 0 ? 0 : 1);
