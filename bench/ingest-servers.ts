/**
 * The server side of `bench/ingest.ts`, run in a child process (its own core) and driven over
 * IPC. Two kinds:
 *
 * - `parley`: the server as `apps/server/src/main.ts` assembles it — configuration from the
 *   environment defaults, migrations, the HTTP app, the Meta simulator beside it (the demo
 *   workspace's WhatsApp number is connected through it, so stored webhooks route to a channel)
 *   and the background workers, which process the stored deliveries while the load runs.
 * - `baseline`: a bare Fastify route that checks X-Hub-Signature-256 (HMAC-SHA256,
 *   crypto.timingSafeEqual) and INSERTs the raw body into a table of the same database.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '@parley/config';
import { createSimulator, DEMO, type Simulator } from '../apps/simulator/src/index.ts';
import { buildApp } from '../apps/server/src/app.ts';
import { bootstrap } from '../apps/server/src/bootstrap.ts';
import { connectDemoChannels, seedDemoWorkspace } from '../apps/server/src/demo-seed.ts';
import { createLogger } from '../apps/server/src/logger.ts';
import { startWorkers } from '../apps/server/src/workers/workers.ts';
import { queryRows } from '@parley/db';
import { sql } from 'drizzle-orm';

export type ServerKind = 'parley' | 'baseline';

export interface StartMessage {
  type: 'start';
  kind: ServerKind;
  engine: 'pglite' | 'postgres';
  /** postgres: the URL of the run's fresh database. */
  databaseUrl: string | null;
  /** pglite: the data folder (PARLEY_DATA_DIR; the cluster is in `<dir>/pglite`). */
  dataDir: string;
  masterKey: string;
  poolSize: number;
  logLevel: string;
  workers: boolean;
}

export type ParentMessage =
  | StartMessage
  | { type: 'cpu'; id: number }
  | { type: 'counts'; id: number }
  | { type: 'drain'; id: number; timeoutMs: number }
  | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready'; url: string; detail: string }
  | { type: 'cpu'; id: number; userUs: number; systemUs: number }
  | { type: 'counts'; id: number; counts: Record<string, number> }
  | { type: 'drained'; id: number; ms: number; counts: Record<string, number> }
  | { type: 'failed'; error: string };

interface Running {
  url: string;
  detail: string;
  counts(): Promise<Record<string, number>>;
  /** Parley: deliveries still pending, counted through the pending index (cheap enough to poll). */
  pending?(): Promise<number>;
  close(): Promise<void>;
}

export const BASELINE_TABLE = 'bench_ingest_baseline';

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function startParley(m: StartMessage): Promise<Running> {
  // As main.ts does it, with the simulator on a free port and the demo app as the install's app.
  const simulator: Simulator = await createSimulator({ port: 0, host: '127.0.0.1' });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PARLEY_DATA_DIR: m.dataDir,
    ...(m.databaseUrl ? { DATABASE_URL: m.databaseUrl } : {}),
    DATABASE_POOL_SIZE: String(m.poolSize),
    PARLEY_MASTER_KEY: m.masterKey,
    LOG_LEVEL: m.logLevel,
    PARLEY_SIMULATOR: 'false',
    META_GRAPH_URL: simulator.url,
    META_APP_ID: DEMO.appId,
    META_APP_SECRET: DEMO.appSecret,
    META_VERIFY_TOKEN: DEMO.verifyToken,
    PARLEY_WORKERS: m.workers ? 'true' : 'false',
  });
  const logger = createLogger(config);
  const ctx = await bootstrap(config, logger);
  const app = await buildApp(ctx);
  const demo = await seedDemoWorkspace(ctx);
  if (!demo) throw new Error('the benchmark database is not empty');
  const channels = await connectDemoChannels(ctx, demo);
  if (channels.length === 0) throw new Error('could not connect the demo channels');
  ctx.keyring.settleCreatedKeys(); // as main.ts does once it has set up
  await app.listen({ port: 0, host: '127.0.0.1' });
  const workers = config.workers ? startWorkers(ctx, { gateway: ctx.gateway, storage: ctx.storage }) : null;
  const { port } = app.server.address() as AddressInfo; // a TCP listen() always yields AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    detail: `parley (${config.database.engine}, pool ${config.database.engine === 'postgres' ? config.database.poolSize : 1}, workers ${workers ? 'on' : 'off'}, LOG_LEVEL=${config.logLevel}; connected: ${channels.join(', ')})`,
    counts: () =>
      ctx.db.asOwner(async (tx) => {
        const rows = await queryRows<{ key: string; n: number }>(
          tx,
          sql`select 'webhook_events.' || status as key, count(*)::int as n from webhook_events group by status
              union all select 'messages', count(*)::int from messages
              union all select 'conversations', count(*)::int from conversations`,
        );
        return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
      }),
    pending: async () => {
      const [row] = await ctx.db.asOwner((tx) =>
        queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from webhook_events where status = 'pending'`,
        ),
      );
      return Number(row?.n ?? 0);
    },
    async close() {
      await workers?.stop();
      await app.close();
      await simulator.close();
      await ctx.db.close();
    },
  };
}

/** What the baseline needs of a driver: one parameterised statement at a time, and closing. */
interface BareDb {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

async function openBareDb(m: StartMessage): Promise<BareDb> {
  if (m.engine === 'postgres') {
    if (!m.databaseUrl) throw new Error('postgres needs a database URL');
    const pg = await import('pg');
    const pool = new pg.default.Pool({ connectionString: m.databaseUrl, max: m.poolSize });
    pool.on('error', () => undefined);
    return { query: (text, params) => pool.query(text, params), close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const client = new PGlite(`${m.dataDir}/pglite`);
  await client.waitReady;
  return {
    query: async (text, params) => ({
      rows: (await client.query<Record<string, unknown>>(text, params)).rows,
    }),
    close: () => client.close(),
  };
}

async function startBaseline(m: StartMessage): Promise<Running> {
  const db = await openBareDb(m);
  await db.query(
    `create table if not exists ${BASELINE_TABLE} (id bigserial primary key, body bytea not null)`,
  );
  const secret = DEMO.appSecret;
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/meta', async (req, reply) => {
    const body = req.body;
    const header = req.headers['x-hub-signature-256'];
    const match = typeof header === 'string' ? /^sha256=([0-9a-f]{64})$/i.exec(header) : null;
    if (!Buffer.isBuffer(body) || !match?.[1]) return reply.code(401).send('bad signature');
    const expected = createHmac('sha256', secret).update(body).digest();
    if (!timingSafeEqual(Buffer.from(match[1], 'hex'), expected))
      return reply.code(401).send('bad signature');
    await db.query(`insert into ${BASELINE_TABLE} (body) values ($1)`, [body]);
    return reply.type('text/plain').send('EVENT_RECEIVED');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo; // a TCP listen() always yields AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    detail: `baseline (bare Fastify, HMAC + one INSERT, ${m.engine}, pool ${m.engine === 'postgres' ? m.poolSize : 1})`,
    async counts() {
      const { rows } = await db.query(`select count(*)::int as n from ${BASELINE_TABLE}`);
      return { stored: Number(rows[0]?.n ?? 0) };
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * Polls until no stored delivery is pending (or the timeout); the time is measured here. The poll
 * runs in the server's own process and database, so it stays light (counting every table each
 * 100 ms over ~80,000 rows took a good part of the CPU the workers were being measured on).
 */
async function drain(
  running: Running,
  timeoutMs: number,
): Promise<{ ms: number; counts: Record<string, number> }> {
  const started = performance.now();
  for (;;) {
    const pending = running.pending
      ? await running.pending()
      : ((await running.counts())['webhook_events.pending'] ?? 0);
    const ms = performance.now() - started;
    if (pending === 0 || ms > timeoutMs) return { ms, counts: await running.counts() };
    await new Promise((r) => setTimeout(r, 500));
  }
}

let running: Running | null = null;

process.on('message', (message: ParentMessage) => {
  void (async () => {
    try {
      switch (message.type) {
        case 'start': {
          running = message.kind === 'parley' ? await startParley(message) : await startBaseline(message);
          send({ type: 'ready', url: running.url, detail: running.detail });
          break;
        }
        case 'cpu': {
          const { user, system } = process.cpuUsage();
          send({ type: 'cpu', id: message.id, userUs: user, systemUs: system });
          break;
        }
        case 'counts':
          send({ type: 'counts', id: message.id, counts: (await running?.counts()) ?? {} });
          break;
        case 'drain': {
          const result = running ? await drain(running, message.timeoutMs) : { ms: 0, counts: {} };
          send({ type: 'drained', id: message.id, ...result });
          break;
        }
        case 'stop':
          await running?.close();
          process.exit(0);
      }
    } catch (err) {
      send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    }
  })();
});
