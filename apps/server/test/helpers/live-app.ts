import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { createSimulator, DEMO, type Simulator, type SimulatorOptions } from '@parley/simulator';
import { SimulatorClient } from '@parley/testing';
import { startAppWorkers } from '../../src/workers/app-workers.ts';
import type { Workers } from '../../src/workers/workers.ts';
import { DEMO_CHANNELS } from '../../src/demo-seed.ts';
import type { HttpClient } from './http-client.ts';
import { createTestApp, type TestHarness } from './test-app.ts';

export interface LiveHarness extends TestHarness {
  sim: Simulator;
  simClient: SimulatorClient;
  /** Parley's base URL on 127.0.0.1 (the simulator delivers webhooks there). */
  url: string;
  workers: Workers;
}

/**
 * Parley listening on a real port with its workers running, and a simulator (fast timing) whose
 * demo app delivers signed webhooks to it: the whole path a customer's message takes.
 */
export async function createLiveApp(
  opts: { simulator?: Partial<SimulatorOptions>; env?: Record<string, string> } = {},
): Promise<LiveHarness> {
  const sim = await createSimulator({ port: 0, host: '127.0.0.1', timing: 'fast', ...opts.simulator });
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-media-'));
  const h = await createTestApp({
    META_GRAPH_URL: sim.url,
    META_APP_ID: DEMO.appId,
    META_APP_SECRET: DEMO.appSecret,
    META_VERIFY_TOKEN: DEMO.verifyToken,
    PARLEY_MEDIA_DIR: mediaDir,
    // Tests move the clock by days (messaging windows); sessions should outlive that.
    SESSION_IDLE_MINUTES: String(60 * 24 * 30),
    SESSION_ABSOLUTE_HOURS: String(24 * 365),
    ...opts.env,
  });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  assert.ok(address && typeof address === 'object');
  const url = `http://127.0.0.1:${address.port}`;
  const simClient = new SimulatorClient(sim.url);
  const hook = await simClient.setWebhook(DEMO.appId, {
    callbackUrl: `${url}/webhooks/meta`,
    verifyToken: DEMO.verifyToken,
  });
  assert.equal(hook.verified, true, 'the webhook handshake with Parley failed');
  const workers = startAppWorkers(h.ctx, { idleMs: 20, periodicMs: 200 });
  return {
    ...h,
    sim,
    simClient,
    url,
    workers,
    async close() {
      await workers.stop();
      await sim.close();
      await h.close();
      fs.rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}

/** Connects the simulator's demo number, page and Instagram account to the client's workspace. */
export async function connectDemoChannels(
  client: HttpClient,
): Promise<Record<'whatsapp' | 'messenger' | 'instagram', string>> {
  const ids: Record<string, string> = {};
  for (const c of DEMO_CHANNELS) {
    const res = await client.post('/api/v1/channels', {
      ...c,
      appId: DEMO.appId,
      appSecret: DEMO.appSecret,
      verifyToken: DEMO.verifyToken,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids[c.kind] = res.body.id;
  }
  return ids as Record<'whatsapp' | 'messenger' | 'instagram', string>;
}

/** Polls `fn` until it returns a truthy value (or fails after `timeoutMs`). */
export async function eventually<T>(
  fn: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
