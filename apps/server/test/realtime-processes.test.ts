/**
 * Realtime across server processes: two real `apps/server/src/main.ts` processes on one
 * PostgreSQL database. Events committed anywhere reach the streams of both (LISTEN/NOTIFY), and a
 * process killed with SIGKILL, restarted and resumed from its client's last id misses nothing.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { generateMasterKey, masterKeyToBase64 } from '@parley/core';
import { realtimeRepository } from '@parley/db';
import { createTestDatabase, testEngine, type TestDatabase } from '@parley/testing';
import { PASSWORD, uniqueEmail } from './helpers/factories.ts';
import { range, SseStream } from './helpers/sse-client.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

interface ServerProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
  output: () => string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node --import tsx apps/server/src/main.ts` on a free port and waits for /healthz. */
async function startServer(databaseUrl: string, masterKey: string): Promise<ServerProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PARLEY_MASTER_KEY: masterKey,
    PORT: String(port),
    HOST: '127.0.0.1',
    PARLEY_DATA_DIR: path.join(os.tmpdir(), `parley-rt-${port}`),
    PARLEY_DEMO: 'false',
    PARLEY_SIMULATOR: 'false',
    PARLEY_SIGNUP: 'open',
    PARLEY_WORKERS: 'false',
    LOG_LEVEL: 'warn',
  };
  delete env.NODE_TEST_CONTEXT; // the child is a server, not a test runner
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitedNow = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exitedNow = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitedNow) throw new Error(`the server exited during start:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /healthz within 60 s:\n${output}`);
    }
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child, exited, output: () => output };
}

async function stopServer(p: ServerProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 5_000);
  await p.exited;
  clearTimeout(timer);
}

test(
  'two server processes on one PostgreSQL: both streams get every event; a killed process, restarted, resumes with zero missed',
  { timeout: 6 * 60_000 },
  async (t) => {
    if (testEngine() !== 'postgres') {
      t.skip(
        'needs a PostgreSQL server (PARLEY_TEST_ENGINE=postgres): PGlite is one process per data folder',
      );
      return;
    }
    const database: TestDatabase = await createTestDatabase();
    assert.ok(database.url);
    const masterKey = masterKeyToBase64(generateMasterKey());
    const servers: ServerProcess[] = [];
    const streams: SseStream[] = [];
    try {
      const [p1, p2] = await Promise.all([
        startServer(database.url, masterKey),
        startServer(database.url, masterKey),
      ]);
      servers.push(p1, p2);

      // Sign up through process 1; the session is in the shared database, so process 2 knows it.
      const signup = await fetch(`${p1.url}/api/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: uniqueEmail('rt'),
          password: PASSWORD,
          name: 'Owner',
          workspaceName: 'Two processes',
        }),
      });
      assert.equal(signup.status, 201, await signup.clone().text());
      const body = (await signup.json()) as { workspaces: { workspaceId: string }[] };
      const workspaceId = body.workspaces[0]?.workspaceId;
      assert.ok(workspaceId);
      const session = /parley_session=([^;]+)/.exec(signup.headers.getSetCookie().join('\n'))?.[1];
      assert.ok(session);
      const headers = { cookie: `parley_session=${session}`, 'x-workspace-id': workspaceId };

      const append = (n: number) =>
        database.db.run({ workspaceId }, async (tx) => {
          const log = realtimeRepository(tx, workspaceId);
          const seqs: number[] = [];
          for (let i = 0; i < n; i++) seqs.push(await log.append({ type: 'typing', data: { i } }));
          return seqs;
        });

      const s1 = await SseStream.open(`${p1.url}/api/v1/events?after=0`, headers);
      const s2 = await SseStream.open(`${p2.url}/api/v1/events?after=0`, headers);
      streams.push(s1, s2);
      assert.equal(s1.status, 200);
      assert.equal(s2.status, 200);

      // Phase 1: four concurrent appenders; both processes deliver the same events, in order.
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 5; i++) await append(3);
        }),
      );
      await s1.waitForSeq(60);
      await s2.waitForSeq(60);
      assert.deepEqual(s1.seqs(), range(1, 60));
      assert.deepEqual(s2.logEvents(), s1.logEvents(), 'both processes sent the same events');

      // Phase 2: process 2 dies without a chance to clean up; appends go on meanwhile.
      p2.child.kill('SIGKILL');
      await p2.exited;
      await s2.waitFor((s) => s.ended, 'the stream of the killed process to end');
      const lastId = s2.lastId();
      assert.equal(lastId, '60');
      await append(100);
      let appending = true;
      const background = (async () => {
        let n = 0;
        while (appending) {
          await append(2);
          n += 2;
          await new Promise((r) => setTimeout(r, 5));
        }
        return n;
      })();
      const p2b = await startServer(database.url, masterKey);
      servers.push(p2b);
      const resumed = await SseStream.open(`${p2b.url}/api/v1/events`, {
        ...headers,
        'last-event-id': lastId,
      });
      streams.push(resumed);
      assert.equal(resumed.status, 200);
      await resumed.waitForSeq(200);
      appending = false;
      const lastSeq = 160 + (await background);
      await resumed.waitForSeq(lastSeq);
      await s1.waitForSeq(lastSeq);
      assert.deepEqual([...s2.seqs(), ...resumed.seqs()], range(1, lastSeq), 'zero missed, none twice');
      assert.deepEqual(s1.seqs(), range(1, lastSeq));
    } finally {
      for (const s of streams) s.close();
      await Promise.all(servers.map(stopServer));
      await database.close();
    }
  },
);
