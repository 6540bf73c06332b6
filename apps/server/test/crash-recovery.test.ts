/**
 * Durability: kill -9 the server in the middle of a burst of 1,000 inbound WhatsApp messages,
 * start it again, and let the simulator retry what was never acknowledged. Exactly 1,000
 * messages must exist afterwards — none lost, none twice.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { generateMasterKey, masterKeyToBase64 } from '@parley/core';
import { openDatabase, queryRows } from '@parley/db';
import { createSimulator, DEMO, type Simulator } from '@parley/simulator';
import { createTestDatabase, SimulatorClient, type TestDatabase } from '@parley/testing';
import { DEMO_CHANNELS } from '../src/demo-seed.ts';
import { eventually } from './helpers/live-app.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const BURST = 1000;

let sim: Simulator;
let simClient: SimulatorClient;
let database: TestDatabase | null = null;
let dataDir: string | null = null;
let port: number;
let child: ChildProcess | null = null;
const masterKey = masterKeyToBase64(generateMasterKey());

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

function serverEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    PARLEY_SIMULATOR: 'false',
    PARLEY_DEMO: 'false',
    PARLEY_SIGNUP: 'open',
    PARLEY_MASTER_KEY: masterKey,
    META_GRAPH_URL: sim.url,
    META_APP_ID: DEMO.appId,
    META_APP_SECRET: DEMO.appSecret,
    META_VERIFY_TOKEN: DEMO.verifyToken,
    LOG_LEVEL: 'warn',
    ...(database?.url ? { DATABASE_URL: database.url } : { PARLEY_DATA_DIR: dataDir ?? '' }),
  };
}

async function startServer(): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: root,
    env: serverEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await eventually(
    async () => {
      if (proc.exitCode !== null) assert.fail(`the server exited: ${output}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      return res?.ok ?? false;
    },
    'the server to start',
    60_000,
  );
}

async function stopServer(signal: NodeJS.Signals): Promise<void> {
  const proc = child;
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill(signal);
  await exited;
  child = null;
}

// Child processes start (and PGlite creates its folder) slowly on a busy machine: a test of its own pace.
const SLOW = { timeout: 6 * 60_000 };

before(async () => {
  port = await freePort();
  sim = await createSimulator({
    port: 0,
    host: '127.0.0.1',
    timing: {
      sentMs: 0,
      deliveredMs: 0,
      readMs: 0,
      webhookTimeoutMs: 10_000,
      webhookRetryBaseMs: 100,
      webhookRetryMaxMs: 1000,
      webhookMaxAttempts: 1000,
    },
    rules: { throughput: false },
  });
  simClient = new SimulatorClient(sim.url);
  if (process.env.PARLEY_TEST_ENGINE === 'postgres') {
    // A fresh database of this file's own (dropped in `after`); the child server connects to it.
    database = await createTestDatabase();
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-crash-'));
  }
  await startServer();
}, SLOW);

after(async () => {
  await stopServer('SIGKILL');
  await sim.close();
  await database?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function api(pathname: string, body: unknown, cookie: string | null, csrf: string | null) {
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(cookie ? { cookie } : {}),
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, cookie: res.headers.get('set-cookie') };
}

test(
  `kill -9 during a burst of ${BURST} inbound messages, restart: exactly ${BURST} messages`,
  SLOW,
  async () => {
    const signup = await api(
      '/api/v1/auth/signup',
      {
        email: 'crash@example.test',
        password: 'correct horse battery staple',
        name: 'Crash',
        workspaceName: 'Crash',
      },
      null,
      null,
    );
    assert.equal(signup.status, 201, JSON.stringify(signup.body));
    const cookie = (signup.cookie ?? '').split(';')[0] ?? '';
    const me = await fetch(`http://127.0.0.1:${port}/api/v1/auth/me`, { headers: { cookie } });
    const csrf = ((await me.json()) as any).csrfToken as string;
    const wa = DEMO_CHANNELS[0];
    const connected = await api(
      '/api/v1/channels',
      { ...wa, appId: DEMO.appId, appSecret: DEMO.appSecret, verifyToken: DEMO.verifyToken },
      cookie,
      csrf,
    );
    assert.equal(connected.status, 201, JSON.stringify(connected.body));
    const hook = await simClient.setWebhook(DEMO.appId, {
      callbackUrl: `http://127.0.0.1:${port}/webhooks/meta`,
      verifyToken: DEMO.verifyToken,
    });
    assert.equal(hook.verified, true);

    const burst = simClient.burst({ to: DEMO.phoneNumberId, count: BURST, perSecond: 400, customers: 50 });
    // Let part of the burst land, then pull the plug.
    await eventually(
      async () => (await simClient.webhookStats()).postsOk >= 50,
      'a part of the burst to be acknowledged',
      60_000,
    );
    await stopServer('SIGKILL');
    const stats = await simClient.webhookStats();
    assert.ok(stats.postsOk < BURST, `the kill came too late (${stats.postsOk} already acknowledged)`);
    await burst;
    await startServer();
    assert.ok(await simClient.waitIdle(120_000), 'the simulator delivered everything');
    const final = await simClient.webhookStats();
    assert.equal(final.gaveUp, 0, 'the simulator gave up on deliveries');

    // Let the restarted server's workers finish, stop it, then count in the database itself.
    await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/conversations?limit=200`, {
          headers: { cookie },
        });
        const body = (await res.json()) as any;
        const unread = (body.items as { unreadCount: number }[]).reduce((n, c) => n + c.unreadCount, 0);
        return unread === BURST;
      },
      `${BURST} unread messages`,
      120_000,
    );
    await stopServer('SIGTERM');
    const db = database?.url
      ? await openDatabase({ engine: 'postgres', url: database.url, poolSize: 1 })
      : await openDatabase({ engine: 'pglite', dataDir: path.join(dataDir ?? '', 'pglite') });
    try {
      const [row] = await db.asOwner((tx) =>
        queryRows<{ total: number; distinct: number; pending: number }>(
          tx,
          sql`select (select count(*)::int from messages where direction = 'inbound') as total,
                   (select count(distinct provider_message_id)::int from messages where direction = 'inbound') as distinct,
                   (select count(*)::int from webhook_events where status <> 'done') as pending`,
        ),
      );
      assert.deepEqual(row, { total: BURST, distinct: BURST, pending: 0 });
    } finally {
      await db.close();
    }
  },
);
