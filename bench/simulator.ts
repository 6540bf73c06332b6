/**
 * Capacity benchmark of the Meta platform simulator: accepted sends/s over real HTTP and
 * webhooks/s delivered to a local receiver. The simulator runs in a child process (its own
 * core); this process drives the load and receives the webhooks.
 *
 *   npm run bench:simulator [-- --seconds 5 --concurrency 64]
 *
 * Baseline, measured in the same run by the same driver: a bare node:http server in the same
 * child process answering every POST with a canned send response — what HTTP alone costs here.
 *
 * Last line: RESULT simulator sends_per_s=<n> webhooks_per_s=<n> baseline_requests_per_s=<n> ratio=<n>
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { Pool } from 'undici';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createSimulator, defaultSeed, DEMO, type SeedData } from '../apps/simulator/src/index.ts';

const NUMBERS = 8;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function benchSeed(): SeedData {
  const phones = Array.from({ length: NUMBERS }, (_, i) => ({
    id: `41000000000000${i}`,
    wabaId: DEMO.wabaId,
    displayPhoneNumber: `1555020000${i}`,
    verifiedName: `Bench ${i}`,
    throughputMps: 1000,
  }));
  return {
    ...defaultSeed,
    businesses: [{ id: DEMO.businessId, name: 'Bench', messagingLimit: -1 }],
    phoneNumbers: [...defaultSeed.phoneNumbers, ...phones],
  };
}

/** Child: run the simulator until told to stop. */
async function runChild(): Promise<void> {
  const sim = await createSimulator({
    port: 0,
    seed: benchSeed(),
    timing: { sentMs: 0, deliveredMs: 50, readMs: 100, webhookRetryBaseMs: 200 },
    logWebhookBodies: false,
    webhookConcurrency: 64,
  });
  const canned = JSON.stringify({
    messaging_product: 'whatsapp',
    contacts: [{ input: '14440000000', wa_id: '14440000000' }],
    messages: [{ id: 'wamid.baseline' }],
  });
  const baseline = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(canned));
  });
  baseline.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
  const { port } = baseline.address() as AddressInfo; // a TCP listen() always yields AddressInfo
  process.send?.({ url: sim.url, baselineUrl: `http://127.0.0.1:${port}` });
  process.on('message', (message) => {
    if (message !== 'stop') return;
    baseline.closeAllConnections();
    baseline.close();
    void sim.close().then(() => process.exit(0));
  });
}

interface Receiver {
  url: string;
  posts: number;
  lastAt: number;
  close(): void;
}

async function startReceiver(): Promise<Receiver> {
  const state = { posts: 0, lastAt: 0 };
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.end(new URL(req.url ?? '/', 'http://x').searchParams.get('hub.challenge') ?? '');
      return;
    }
    req.resume();
    req.on('end', () => {
      state.posts += 1;
      state.lastAt = performance.now();
      res.writeHead(200, { 'content-length': '2' }).end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // a TCP listen() always yields AddressInfo
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    get posts() {
      return state.posts;
    },
    get lastAt() {
      return state.lastAt;
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function post(
  pool: Pool,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  try {
    const response = await pool.request({ method: 'POST', path, body, headers });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return 0;
  }
}

/** Keeps `concurrency` requests in flight for `seconds` (after a 0.5 s warm-up) and counts the answers. */
async function drive(
  pool: Pool,
  urls: string[],
  bodies: string[],
  headers: Record<string, string>,
  concurrency: number,
  seconds: number,
): Promise<{ accepted: number; statusCounts: Map<number, number>; seconds: number }> {
  let n = 0;
  const warmEnd = performance.now() + 500;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warmEnd) {
        n += 1;
        await post(pool, urls[n % urls.length]!, bodies[n % bodies.length]!, headers);
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 1000));
  const statusCounts = new Map<number, number>();
  let accepted = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        n += 1;
        const status = await post(pool, urls[n % urls.length]!, bodies[n % bodies.length]!, headers);
        statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
        if (status === 200) accepted += 1;
      }
    }),
  );
  return { accepted, statusCounts, seconds: (performance.now() - started) / 1000 };
}

async function runParent(): Promise<void> {
  const seconds = arg('seconds', 5);
  const concurrency = arg('concurrency', 64);
  const receiver = await startReceiver();
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
    ],
  });
  const { url: simUrl, baselineUrl } = await new Promise<{ url: string; baselineUrl: string }>(
    (resolve, reject) => {
      child.once('message', (m: unknown) => resolve(m as { url: string; baselineUrl: string })); // the child sends its URLs
      child.once('exit', (code) => reject(new Error(`simulator child exited (${code})`)));
    },
  );
  const setup = await fetch(`${simUrl}/_sim/apps/${DEMO.appId}/webhook`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ callbackUrl: receiver.url, verifyToken: DEMO.verifyToken }),
  });
  if (!setup.ok) throw new Error(`webhook setup failed: ${await setup.text()}`);

  const pool = new Pool(simUrl, { connections: concurrency, keepAliveTimeout: 30_000 });
  const headers = { authorization: `Bearer ${DEMO.accessToken}`, 'content-type': 'application/json' };
  const urls = Array.from({ length: NUMBERS }, (_, i) => `/v23.0/41000000000000${i}/messages`);
  const bodies = Array.from({ length: 5000 }, (_, i) =>
    JSON.stringify({
      messaging_product: 'whatsapp',
      to: `1444${String(i).padStart(7, '0')}`,
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
      biz_opaque_callback_data: `bench-${i}`,
    }),
  );

  const baselinePool = new Pool(baselineUrl, { connections: concurrency, keepAliveTimeout: 30_000 });
  const base = await drive(baselinePool, urls, bodies, headers, concurrency, seconds);
  await baselinePool.close();

  const webhooksBefore = receiver.posts;
  const started = performance.now();
  const run = await drive(pool, urls, bodies, headers, concurrency, seconds);
  const { accepted, statusCounts, seconds: sendSeconds } = run;

  // Let the webhook queue drain (bounded), then measure over [start, last webhook].
  const drainDeadline = performance.now() + 30_000;
  let lastCount = -1;
  while (performance.now() < drainDeadline) {
    await new Promise((r) => setTimeout(r, 250));
    const stats = (await (await fetch(`${simUrl}/_sim/webhooks/stats`)).json()) as {
      queued: number;
      inFlight: number;
    }; // control API JSON
    if (stats.queued === 0 && stats.inFlight === 0 && receiver.posts === lastCount) break;
    lastCount = receiver.posts;
  }
  const webhooks = receiver.posts - webhooksBefore;
  const webhookSeconds = (receiver.lastAt - started) / 1000;
  const sendsPerS = Math.round(accepted / sendSeconds);
  const webhooksPerS = Math.round(webhooks / webhookSeconds);

  console.log(
    `simulator bench: ${seconds}s, ${concurrency} concurrent keep-alive requests (undici), ${NUMBERS} numbers at 1,000 mps`,
  );
  console.log(
    `  sends: ${accepted} accepted (${[...statusCounts].map(([s, c]) => `${s}:${c}`).join(' ')}) in ${sendSeconds.toFixed(2)} s`,
  );
  console.log(
    `  webhooks: ${webhooks} POSTs (one status each: sent, delivered, read) in ${webhookSeconds.toFixed(2)} s`,
  );
  const baselinePerS = Math.round(base.accepted / base.seconds);
  const ratio = sendsPerS / baselinePerS;
  console.log(
    `  baseline: bare node:http answering a canned send, same driver and process: ${baselinePerS} requests/s (simulator at ${(ratio * 100).toFixed(0)}% of it)`,
  );
  await pool.close();
  child.send('stop');
  receiver.close();
  console.log(
    `RESULT simulator sends_per_s=${sendsPerS} webhooks_per_s=${webhooksPerS} baseline_requests_per_s=${baselinePerS} ratio=${ratio.toFixed(2)}`,
  );
}

if (process.argv.includes('--child')) await runChild();
else await runParent();
