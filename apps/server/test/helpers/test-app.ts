import { Writable } from 'node:stream';
import { loadConfig, type Config } from '@parley/config';
import { generateMasterKey, masterKeyToBase64, type Clock } from '@parley/core';
import { createTestDatabase, type TestDatabase } from '@parley/testing';
import type { AppContext } from '../../src/app-context.ts';
import { buildApp } from '../../src/app.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { createLogger } from '../../src/logger.ts';

/** A clock tests move by hand (session timeouts, rate-limit windows, expiries). */
export class TestClock implements Clock {
  private t = Date.now();
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export type TestApp = Awaited<ReturnType<typeof buildApp>>;

export interface TestHarness {
  app: TestApp;
  ctx: AppContext;
  config: Config;
  clock: TestClock;
  database: TestDatabase;
  /** Every log line the app wrote (JSON strings), for redaction checks and reset links. */
  logs: string[];
  close(): Promise<void>;
}

/** One app on one fresh database per test file; each test makes its own workspaces in it. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestHarness> {
  const database = await createTestDatabase();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const config = loadConfig({
    PARLEY_MASTER_KEY: masterKeyToBase64(generateMasterKey()),
    PARLEY_DEMO: 'false',
    PARLEY_SIGNUP: 'open',
    PARLEY_DATA_DIR: '/nonexistent-parley-test-dir',
    LOG_LEVEL: 'info',
    // Sign-up in tests comes from one address; keep the per-IP limit out of the way unless a test sets it.
    AUTH_RATE_LIMIT_MAX: '10000',
    ...env,
  });
  const clock = new TestClock();
  const ctx = await bootstrap(config, createLogger(config, sink), { db: database.db, clock });
  const app = await buildApp(ctx);
  await app.ready();
  return {
    app,
    ctx,
    config,
    clock,
    database,
    logs,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
