import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ChannelError,
  createProviders,
  failureOf,
  LOCAL_ERROR_CODES,
  type ChannelAccount,
} from '../src/index.ts';
import { failureOfResult, startHarness, type Harness } from './helpers.ts';

const TOKEN = 'EAAG-secret-token-do-not-log';

/** A stand-in upstream with a fixed answer per path, to see how odd answers are handled. */
async function startUpstream(
  routes: Record<string, (res: http.ServerResponse) => void>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = Object.entries(routes).find(([suffix]) => path.endsWith(suffix))?.[1];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // a TCP listen() always yields AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const whatsapp = (accountId: string): ChannelAccount => ({ kind: 'whatsapp', accountId, accessToken: TOKEN });
const text = { type: 'text', text: 'private message text' } as const;

function isSafeChannelError(error: unknown, cls: string, code: number): boolean {
  return (
    error instanceof ChannelError &&
    error.failure.class === cls &&
    error.failure.code === code &&
    !error.message.includes(TOKEN) &&
    !error.message.includes('private message text') &&
    !JSON.stringify(error.failure).includes(TOKEN)
  );
}

describe('against the simulator', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('Graph 500 / 503 (codes 1 / 2) → retryable failures, not throws', async () => {
    await h.client.setFaults({ graph: { errorNext: 1, errorStatus: 500 } });
    const first = failureOfResult(
      await h.providers.whatsapp.send(h.accounts.whatsapp, '5511999990001', text),
    );
    assert.equal(first.class, 'retryable');
    assert.equal(first.code, 1);
    assert.equal(first.httpStatus, 500);
    await h.client.setFaults({ graph: { errorNext: 1, errorStatus: 503 } });
    const second = failureOfResult(await h.providers.messenger.send(h.accounts.messenger, '1', text));
    assert.equal(second.class, 'retryable');
    assert.equal(second.code, 2);
    await h.client.clearFaults();
  });

  test('a health check during an outage throws retryable (we could not check the token)', async () => {
    await h.client.setFaults({ graph: { errorNext: 1, errorStatus: 503 } });
    await assert.rejects(
      h.providers.whatsapp.checkHealth(h.accounts.whatsapp),
      (e: unknown) => e instanceof ChannelError && e.failure.class === 'retryable',
    );
    await h.client.clearFaults();
  });

  test('a slow Graph API → ChannelError timeout (retryable)', async () => {
    await h.client.setFaults({ graph: { latencyMs: 400 } });
    try {
      const slow = createProviders({ ...h.graph, timeoutMs: 50 }).whatsapp;
      await assert.rejects(slow.send(h.accounts.whatsapp, '5511999990001', text), (e: unknown) =>
        isSafeChannelError(e, 'retryable', LOCAL_ERROR_CODES.timeout),
      );
    } finally {
      await h.client.clearFaults();
    }
  });
});

describe('network and odd answers', () => {
  let upstream: { url: string; close(): Promise<void> };
  before(async () => {
    upstream = await startUpstream({
      '/1/messages': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>ok</html>'),
      '/2/messages': (res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"messages":[]}'),
      '/3/messages': (res) =>
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>'),
      '/4/messages': (res) => res.writeHead(429, { 'retry-after': '7' }).end(),
      '/big.bin': (res) => {
        // Chunked, no Content-Length: the limit must hold while streaming.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let i = 0; i < 64; i += 1) res.write(Buffer.alloc(1024, i));
        res.end();
      },
      '/declared.bin': (res) =>
        res.writeHead(200, { 'content-length': '5000000' }).end(Buffer.alloc(5_000_000)),
    });
  });
  after(async () => {
    await upstream.close();
  });

  test('connection refused → ChannelError network (retryable); no token or text in the message', async () => {
    const providers = createProviders({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    await assert.rejects(providers.whatsapp.send(whatsapp('1'), '5511999990001', text), (e: unknown) =>
      isSafeChannelError(e, 'retryable', LOCAL_ERROR_CODES.network),
    );
    await assert.rejects(
      providers.messenger.checkHealth({ ...whatsapp('1'), kind: 'messenger' }),
      (e: unknown) => isSafeChannelError(e, 'retryable', LOCAL_ERROR_CODES.network),
    );
  });

  test('a 2xx that is not JSON, or lacks the message id → ChannelError unexpected answer', async () => {
    const { whatsapp: wa } = createProviders({ baseUrl: upstream.url });
    await assert.rejects(wa.send(whatsapp('1'), '5511999990001', text), (e: unknown) =>
      isSafeChannelError(e, 'unknown', LOCAL_ERROR_CODES.unexpectedResponse),
    );
    await assert.rejects(wa.send(whatsapp('2'), '5511999990001', text), (e: unknown) =>
      isSafeChannelError(e, 'unknown', LOCAL_ERROR_CODES.unexpectedResponse),
    );
    const failure = await wa.send(whatsapp('2'), '5511999990001', text).catch(failureOf);
    assert.equal('class' in failure && failure.class, 'unknown');
  });

  test('a proxy 502 without a Graph body → retryable; 429 with Retry-After → rate_limited + wait', async () => {
    const { whatsapp: wa } = createProviders({ baseUrl: upstream.url });
    const gateway = failureOfResult(await wa.send(whatsapp('3'), '5511999990001', text));
    assert.equal(gateway.class, 'retryable');
    assert.equal(gateway.httpStatus, 502);
    const throttled = failureOfResult(await wa.send(whatsapp('4'), '5511999990001', text));
    assert.equal(throttled.class, 'rate_limited');
    assert.equal(throttled.retryAfterMs, 7000);
  });

  test('downloads stop at maxBytes, streamed or declared', async () => {
    const { messenger } = createProviders({ baseUrl: upstream.url });
    const account = { ...whatsapp('1'), kind: 'messenger' as const };
    const whole = await messenger.fetchMedia(account, { url: `${upstream.url}/big.bin` });
    assert.equal(whole.bytes.length, 64 * 1024);
    await assert.rejects(
      messenger.fetchMedia(account, { url: `${upstream.url}/big.bin` }, { maxBytes: 10_000 }),
      (e: unknown) => isSafeChannelError(e, 'invalid_request', LOCAL_ERROR_CODES.mediaTooLarge),
    );
    await assert.rejects(
      messenger.fetchMedia(account, { url: `${upstream.url}/declared.bin` }, { maxBytes: 1_000_000 }),
      (e: unknown) => isSafeChannelError(e, 'invalid_request', LOCAL_ERROR_CODES.mediaTooLarge),
    );
  });
});
