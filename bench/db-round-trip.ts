/**
 * What one database round trip costs the Node process on this machine: CPU and wall time per
 * query, sequential, for node-postgres alone and through drizzle (as the repositories run them),
 * against a baseline measured in the same run — a pure JavaScript loop of fixed work, so a slow
 * round trip can be told from a slow CPU.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:round-trip [-- --queries 3000]
 *
 * Why it matters: the webhook path is priced in round trips (an ingest batch is four or five, a
 * processed delivery about ten), so this number times the round trips is most of their CPU.
 * Last line: RESULT round-trip pg_cpu_us=<n> drizzle_cpu_us=<n> pg_wall_us=<n> baseline_loop_ms=<n>
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import pg from 'pg';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('bench:round-trip needs DATABASE_URL (a PostgreSQL server)');
  process.exit(2);
}
const i = process.argv.indexOf('--queries');
const queries = i >= 0 ? Number(process.argv[i + 1]) : 3000;

const pool = new pg.Pool({ connectionString: url, max: 1 });
const db = drizzle(pool);

async function measure(
  label: string,
  fn: () => Promise<unknown>,
): Promise<{ cpuUs: number; wallUs: number }> {
  for (let n = 0; n < 300; n += 1) await fn(); // warm-up: connection, JIT
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let n = 0; n < queries; n += 1) await fn();
  const cpu = process.cpuUsage(cpu0);
  const wallUs = ((performance.now() - t0) * 1000) / queries;
  const cpuUs = (cpu.user + cpu.system) / queries;
  console.log(
    `${label.padEnd(34)} ${cpuUs.toFixed(0).padStart(6)} µs CPU  ${wallUs.toFixed(0).padStart(6)} µs wall`,
  );
  return { cpuUs, wallUs };
}

/** Fixed CPU work (no I/O): 10^8 additions. */
function baselineLoopMs(): number {
  const cpu0 = process.cpuUsage();
  let x = 0;
  for (let n = 0; n < 1e8; n += 1) x += n % 7;
  const cpu = process.cpuUsage(cpu0);
  if (x < 0) console.log(x);
  return (cpu.user + cpu.system) / 1000;
}

console.log(`db round trip: ${queries} sequential queries each, one connection, node ${process.version}`);
const loop = baselineLoopMs();
console.log(`${'baseline: 10^8 additions'.padEnd(34)} ${loop.toFixed(0).padStart(6)} ms CPU`);
const raw = await measure('pg: select $1::int', () => pool.query('select $1::int', [1]));
const viaDrizzle = await measure('drizzle: execute(select $1::int)', () => db.execute(sql`select ${1}::int`));
await pool.end();
console.log(
  `RESULT round-trip pg_cpu_us=${raw.cpuUs.toFixed(0)} drizzle_cpu_us=${viaDrizzle.cpuUs.toFixed(0)} ` +
    `pg_wall_us=${raw.wallUs.toFixed(0)} baseline_loop_ms=${loop.toFixed(0)}`,
);
