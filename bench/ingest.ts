/**
 * Webhook ingestion benchmark: signed WhatsApp deliveries offered open loop at increasing rates
 * to POST /webhooks/meta, which must verify the signature and store the delivery (encrypted)
 * before it answers 200. Measured: achieved events/s and acknowledgement latency per step.
 *
 *   npm run bench:ingest [-- --seconds 5 --rates 1000,2000,3000,4000,6000 --connections 256]
 *
 * The server runs in a child process (bench/ingest-servers.ts); this process generates the load.
 * Baseline, measured in the same run the same way: a bare Fastify route that checks the HMAC and
 * INSERTs the raw body into a table of the same database. Engines: PGlite, and PostgreSQL too when
 * DATABASE_URL is set (a fresh database per engine run, dropped after). Parley's workers run as in
 * production and process the stored deliveries during the load; the time they need to finish
 * the backlog after it is reported as well.
 *
 * Latency runs from each request's due time to the end of its answer (open loop: a server that
 * falls behind is charged for the queue it causes). Sustained rate: the highest step whose
 * achieved rate is ≥ 95% of the offered one, with p99 ≤ 50 ms and no errors (non-200 answers and
 * transport failures). Last line per engine (PostgreSQL's last when both run):
 *   RESULT ingest engine=<pglite|postgres> events_per_s=<n> p50_ms=<n> p99_ms=<n> baseline_events_per_s=<n> ratio=<n>
 * events_per_s is the offered rate of the sustained step (0 if none; p50/p99 are then the lowest
 * step's); ratio = Parley's sustained rate / the baseline's.
 *
 * Other options (flag or variable): --engines pglite,postgres (BENCH_ENGINES), --warmup-seconds,
 * --warmup-rate, --drain-timeout (s), --pool-size (DATABASE_POOL_SIZE, both servers), --log-level
 * (Parley's LOG_LEVEL, default info as in production), --workers off (ingestion alone),
 * --servers parley|baseline (one alone, for profiling), --profile <dir> (--cpu-prof of the children).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateMasterKey, masterKeyToBase64 } from '@parley/core';
import { DEMO } from '../apps/simulator/src/index.ts';
import { HttpConnections, type HttpTarget } from './http-connections.ts';
import { runStep, webhookRequest, whatsappTextDelivery, type StepResult } from './ingest-load.ts';
import type { ChildMessage, ParentMessage, ServerKind } from './ingest-servers.ts';

type Engine = 'pglite' | 'postgres';

const PASS_RATIO = 0.95;
const PASS_P99_MS = 50;

// ── options: --flag value, or the BENCH_* variable, or the default ───────────────────────────

function option(name: string, env: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  return process.env[env];
}

function numberOption(name: string, env: string, fallback: number): number {
  const value = Number(option(name, env));
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const opts = {
  seconds: numberOption('seconds', 'BENCH_SECONDS', 5),
  rates: (option('rates', 'BENCH_RATES') ?? '1000,2000,3000,4000,6000')
    .split(',')
    .map(Number)
    .filter((r) => Number.isFinite(r) && r > 0),
  connections: numberOption('connections', 'BENCH_CONNECTIONS', 256),
  /** Before the steps, unreported: JIT compilation, connections (default: the lowest step's rate). */
  warmupSeconds: numberOption('warmup-seconds', 'BENCH_WARMUP_SECONDS', 3),
  warmupRate: numberOption('warmup-rate', 'BENCH_WARMUP_RATE', 0),
  /** How long to wait for the workers to finish the backlog after the load (then extrapolate). */
  drainTimeoutS: numberOption('drain-timeout', 'BENCH_DRAIN_TIMEOUT', 60),
  poolSize: numberOption('pool-size', 'DATABASE_POOL_SIZE', 10),
  logLevel: option('log-level', 'BENCH_LOG_LEVEL') ?? 'info',
  /** Which servers to measure (both for a RESULT; one alone is for profiling). */
  servers: (option('servers', 'BENCH_SERVERS') ?? 'baseline,parley').split(','),
  /** Parley's background workers (PARLEY_WORKERS): on by default, as in production. */
  workers: (option('workers', 'BENCH_WORKERS') ?? 'on') !== 'off',
  engines: (option('engines', 'BENCH_ENGINES') ?? (process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite'))
    .split(',')
    .filter((e): e is Engine => e === 'pglite' || e === 'postgres'),
  /** A folder for V8 CPU profiles of the server children (--cpu-prof), if set. */
  profileDir: option('profile', 'BENCH_PROF'),
};

// ── a fresh database per engine run ──────────────────────────────────────────────────────────

interface FreshDatabase {
  engine: Engine;
  databaseUrl: string | null;
  dataDir: string;
  drop(): Promise<void>;
}

async function freshDatabase(engine: Engine): Promise<FreshDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (engine === 'postgres' && !serverUrl) throw new Error('the postgres engine needs DATABASE_URL');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-ingest-'));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (engine === 'pglite' || !serverUrl) {
    return { engine, databaseUrl: null, dataDir, drop: async () => removeDir() };
  }
  const pg = await import('pg');
  const name = `parley_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.default.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    engine,
    databaseUrl: url.toString(),
    dataDir,
    async drop() {
      removeDir();
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

// ── the server child ─────────────────────────────────────────────────────────────────────────

type Reply<T extends ChildMessage['type']> = Extract<ChildMessage, { type: T }>;

class ServerChild {
  private nextId = 1;
  private readonly waiting = new Map<number, (m: ChildMessage) => void>();
  private exited: Promise<number | null>;
  private failure: string | null = null;

  constructor(private readonly child: ChildProcess) {
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'failed') this.failure = m.error;
      if ('id' in m) {
        this.waiting.get(m.id)?.(m);
        this.waiting.delete(m.id);
      }
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(
    kind: ServerKind,
    db: FreshDatabase,
    masterKey: string,
  ): Promise<{ server: ServerChild; url: string; detail: string }> {
    // One folder per server (the tsx loader thread writes a profile of its own beside the main one).
    const profile = opts.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(opts.profileDir, `${kind}-${db.engine}`)}`]
      : [];
    const child = fork(fileURLToPath(new URL('./ingest-servers.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx', ...profile],
      // Parley logs every request at the default level (info), as in production; the lines go nowhere.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const server = new ServerChild(child);
    const ready = await new Promise<ChildMessage>((resolve, reject) => {
      child.once('message', resolve);
      void server.exited.then((code) =>
        reject(new Error(`${kind} server exited (${code}): ${server.failure}`)),
      );
      const start: ParentMessage = {
        type: 'start',
        kind,
        engine: db.engine,
        databaseUrl: db.databaseUrl,
        dataDir: db.dataDir,
        masterKey,
        poolSize: opts.poolSize,
        logLevel: opts.logLevel,
        workers: opts.workers,
      };
      child.send(start);
    });
    if (ready.type !== 'ready') throw new Error(`${kind} server failed to start: ${server.failure}`);
    return { server, url: ready.url, detail: ready.detail };
  }

  private ask<T extends 'cpu' | 'counts' | 'drained'>(
    message: ParentMessage & { id: number },
  ): Promise<Reply<T>> {
    return new Promise((resolve, reject) => {
      this.waiting.set(message.id, (m) => resolve(m as Reply<T>)); // the child answers with the same id
      void this.exited.then((code) => reject(new Error(`server child exited (${code}): ${this.failure}`)));
      this.child.send(message);
    });
  }

  async cpuMs(): Promise<number> {
    const m = await this.ask<'cpu'>({ type: 'cpu', id: this.nextId++ });
    return (m.userUs + m.systemUs) / 1000;
  }

  async counts(): Promise<Record<string, number>> {
    return (await this.ask<'counts'>({ type: 'counts', id: this.nextId++ })).counts;
  }

  drain(timeoutMs: number): Promise<Reply<'drained'>> {
    return this.ask<'drained'>({ type: 'drain', id: this.nextId++, timeoutMs });
  }

  async stop(): Promise<void> {
    this.child.send({ type: 'stop' } satisfies ParentMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ── measuring ────────────────────────────────────────────────────────────────────────────────

/** Busy and total jiffies of the whole machine (other processes and PostgreSQL included). */
function machineCpu(): { busy: number; total: number } {
  const fields = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

interface MeasuredStep extends StepResult {
  /** Cores used by the server child, by this process, and by everything else (PostgreSQL, other work). */
  serverCpu: number;
  driverCpu: number;
  otherCpu: number;
  /** Server CPU time per acknowledged event, µs. */
  serverUsPerEvent: number;
  pass: boolean;
}

interface ServerRun {
  kind: ServerKind;
  detail: string;
  steps: MeasuredStep[];
  acknowledged: number;
  counts: Record<string, number>;
  /** After the load: how long the workers ran, what they started from and ended with. */
  drain: { ms: number; before: Record<string, number>; counts: Record<string, number> } | null;
}

const warmupRate = opts.warmupRate || Math.min(...opts.rates);
const run = randomBytes(3).toString('hex').toUpperCase();
let seq = 0;

function deliveries(target: HttpTarget, n: number): Buffer[] {
  return Array.from({ length: n }, () =>
    webhookRequest(target, whatsappTextDelivery(seq++, run, DEMO.appSecret)),
  );
}

async function measureServer(kind: ServerKind, db: FreshDatabase, masterKey: string): Promise<ServerRun> {
  const { server, url, detail } = await ServerChild.start(kind, db, masterKey);
  console.log(`\n[${db.engine}] ${detail}; load average ${os.loadavg()[0]!.toFixed(1)}`);
  const { hostname, port } = new URL(url);
  const target: HttpTarget = { host: hostname, port: Number(port) };
  const pool = new HttpConnections(target, opts.connections);
  const steps: MeasuredStep[] = [];
  let acknowledged = 0;
  try {
    const warm = await runStep(
      pool,
      deliveries(target, Math.round(warmupRate * opts.warmupSeconds)),
      warmupRate,
      opts.connections,
    );
    acknowledged += warm.ok;
    console.log(
      `  warm-up: ${warm.ok}/${warm.due} at ${warmupRate}/s (p99 ${warm.p99.toFixed(1)} ms); errors ${warm.errors}`,
    );
    console.log(
      '  offered/s  achieved/s  p50 ms  p99 ms  max ms  errors  unsent  server cpu  µs/event  driver cpu  other cpu  sustained',
    );
    for (const rate of opts.rates) {
      const batch = deliveries(target, Math.round(rate * opts.seconds));
      await new Promise((r) => setTimeout(r, 250));
      const cpu0 = await server.cpuMs();
      const own0 = process.cpuUsage();
      const machine0 = machineCpu();
      const wall0 = performance.now();
      const step = await runStep(pool, batch, rate, opts.connections);
      const wallMs = performance.now() - wall0;
      const cpu1 = await server.cpuMs();
      const own = process.cpuUsage(own0);
      const machine1 = machineCpu();
      acknowledged += step.ok;
      const serverCpu = (cpu1 - cpu0) / wallMs;
      const driverCpu = (own.user + own.system) / 1000 / wallMs;
      const machine =
        ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * os.cpus().length;
      const measured: MeasuredStep = {
        ...step,
        serverCpu,
        driverCpu,
        otherCpu: Math.max(0, machine - serverCpu - driverCpu),
        serverUsPerEvent: step.ok > 0 ? ((cpu1 - cpu0) * 1000) / step.ok : 0,
        pass: step.achieved >= PASS_RATIO * rate && step.p99 <= PASS_P99_MS && step.errors === 0,
      };
      steps.push(measured);
      const statuses = [...step.statuses]
        .filter(([s]) => s !== 200)
        .map(([s, c]) => `${s}:${c}`)
        .join(' ');
      console.log(
        [
          String(rate).padStart(9),
          String(Math.round(step.achieved)).padStart(11),
          step.p50.toFixed(1).padStart(7),
          step.p99.toFixed(1).padStart(7),
          step.max.toFixed(0).padStart(7),
          String(step.errors).padStart(7),
          String(step.unsent).padStart(7),
          `${(measured.serverCpu * 100).toFixed(0)}%`.padStart(11),
          String(Math.round(measured.serverUsPerEvent)).padStart(9),
          `${(measured.driverCpu * 100).toFixed(0)}%`.padStart(11),
          `${(measured.otherCpu * 100).toFixed(0)}%`.padStart(10),
          (measured.pass ? 'yes' : 'no').padStart(10),
          statuses ? ` (${statuses})` : '',
          step.loopDelayP99 > 20
            ? ` [driver busy: event loop delay p99 ${step.loopDelayP99.toFixed(0)} ms]`
            : '',
        ].join(' '),
      );
    }
    const loadEnded = performance.now();
    let drain: ServerRun['drain'] = null;
    if (kind === 'parley' && opts.workers) {
      const before = await server.counts();
      const drained = await server.drain(opts.drainTimeoutS * 1000);
      drain = { ms: performance.now() - loadEnded, before, counts: drained.counts };
    }
    const counts = await server.counts();
    return { kind, detail, steps, acknowledged, counts, drain };
  } finally {
    pool.close();
    await server.stop();
  }
}

function sustained(steps: MeasuredStep[]): { rate: number; step: MeasuredStep | null } {
  const passing = steps.filter((s) => s.pass);
  const best = passing.reduce<MeasuredStep | null>((a, s) => (!a || s.offered > a.offered ? s : a), null);
  return { rate: best?.offered ?? 0, step: best };
}

function stored(r: ServerRun): number {
  if (r.kind === 'baseline') return r.counts.stored ?? 0;
  return Object.entries(r.counts)
    .filter(([k]) => k.startsWith('webhook_events.'))
    .reduce((a, [, n]) => a + n, 0);
}

/** The database of the engine run in progress, dropped on Ctrl-C too. */
let current: FreshDatabase | null = null;
process.once('SIGINT', () => {
  void (current?.drop() ?? Promise.resolve()).finally(() => process.exit(130));
});

async function benchEngine(engine: Engine): Promise<string> {
  const db = await freshDatabase(engine);
  current = db;
  const masterKey = masterKeyToBase64(generateMasterKey());
  const skipped = (kind: ServerKind): ServerRun => ({
    kind,
    detail: 'skipped',
    steps: [],
    acknowledged: 0,
    counts: {},
    drain: null,
  });
  let baseline: ServerRun;
  let parley: ServerRun;
  try {
    baseline = opts.servers.includes('baseline')
      ? await measureServer('baseline', db, masterKey)
      : skipped('baseline');
    parley = opts.servers.includes('parley')
      ? await measureServer('parley', db, masterKey)
      : skipped('parley');
  } finally {
    current = null;
    await db.drop();
  }
  const p = sustained(parley.steps);
  const b = sustained(baseline.steps);
  const top = Math.max(...opts.rates);
  console.log(`\n[${engine}] summary`);
  for (const r of [baseline, parley]) {
    const s = sustained(r.steps);
    console.log(
      `  ${r.kind}: sustained ${s.rate} events/s${s.step ? ` (p50 ${s.step.p50.toFixed(1)} ms, p99 ${s.step.p99.toFixed(1)} ms)` : ''}; ` +
        `${stored(r)} rows stored for ${r.acknowledged} acknowledged`,
    );
  }
  if (b.rate === top)
    console.log(`  note: the baseline passed the top step; its capacity is at least ${top}/s`);
  if (parley.drain) {
    const { ms, before, counts: c } = parley.drain;
    const pending = c['webhook_events.pending'] ?? 0;
    const settled = (x: Record<string, number>) =>
      (x['webhook_events.done'] ?? 0) + (x['webhook_events.dead'] ?? 0);
    const rate = (settled(c) - settled(before)) / (ms / 1000);
    const backlog = before['webhook_events.pending'] ?? 0;
    console.log(
      `  workers: ${backlog} deliveries pending when the load ended; ` +
        (pending === 0
          ? `drained ${(ms / 1000).toFixed(1)} s later`
          : `${pending} still pending ${(ms / 1000).toFixed(1)} s later (at ${rate.toFixed(0)}/s: ~${Math.round(pending / Math.max(rate, 0.001))} s more)`) +
        ` — done ${c['webhook_events.done'] ?? 0}, dead ${c['webhook_events.dead'] ?? 0}, ` +
        `${c.messages ?? 0} messages in ${c.conversations ?? 0} conversations`,
    );
  }
  const ratio = b.rate > 0 ? p.rate / b.rate : 0;
  // With no passing step, the latencies are those of the lowest step.
  const shown = p.step ?? parley.steps[0];
  return (
    `RESULT ingest engine=${engine} events_per_s=${p.rate} p50_ms=${(shown?.p50 ?? 0).toFixed(1)} ` +
    `p99_ms=${(shown?.p99 ?? 0).toFixed(1)} baseline_events_per_s=${b.rate} ratio=${ratio.toFixed(2)}`
  );
}

console.log(
  `ingest bench: ${os.cpus().length} cores, node ${process.version}; steps ${opts.rates.join(', ')} events/s ` +
    `× ${opts.seconds} s, ≤ ${opts.connections} requests in flight (keep-alive connections); ` +
    `sustained = achieved ≥ ${PASS_RATIO * 100}% of offered, p99 ≤ ${PASS_P99_MS} ms, no errors`,
);
// PGlite first, so PostgreSQL's RESULT line is the last line when both run.
for (const engine of ['pglite', 'postgres'] as const) {
  if (opts.engines.includes(engine)) console.log(`\n${await benchEngine(engine)}`);
}
