import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatorClient } from '@parley/testing/simulator-client';
import { createSimulator, DEMO, type Simulator, type SimulatorOptions } from '../src/index.ts';

export interface ReceivedWebhook {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/** A local webhook endpoint: answers the verify handshake and records every POST. */
export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  verifications: { mode: string | null; token: string | null; challenge: string | null }[];
  /** Status for the next N POSTs (then 200). */
  failNext(n: number, status?: number): void;
  /** Verify token this receiver accepts. */
  verifyToken: string;
  posts(): ReceivedWebhook[];
  waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(verifyToken = DEMO.verifyToken): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const verifications: Receiver['verifications'] = [];
  let failures = 0;
  let failStatus = 500;
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET') {
        const mode = url.searchParams.get('hub.mode');
        const token = url.searchParams.get('hub.verify_token');
        const challenge = url.searchParams.get('hub.challenge');
        verifications.push({ mode, token, challenge });
        if (mode === 'subscribe' && token === receiver.verifyToken) {
          res.writeHead(200, { 'content-type': 'text/plain' }).end(challenge ?? '');
        } else {
          res.writeHead(403).end('forbidden');
        }
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json });
      if (failures > 0) {
        failures -= 1;
        res.writeHead(failStatus).end('fail');
      } else {
        res.writeHead(200).end('EVENT_RECEIVED');
      }
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port; // listen() on TCP always yields AddressInfo
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/webhooks/meta`,
    received,
    verifications,
    verifyToken,
    failNext(n, status = 500) {
      failures = n;
      failStatus = status;
    },
    posts: () => received.filter((r) => r.method === 'POST'),
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        if (predicate(received)) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: condition not met in ${timeoutMs} ms (received ${received.length})`));
        }, timeoutMs);
        const check = (): void => {
          if (!predicate(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

export interface Harness {
  sim: Simulator;
  client: SimulatorClient;
  receiver: Receiver;
  graph: (
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ) => Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** A simulator on a random port with fast timing, its webhook pointed at a fresh receiver. */
export async function startHarness(options: SimulatorOptions = {}): Promise<Harness> {
  const receiver = await startReceiver();
  const sim = await createSimulator({
    port: 0,
    timing: 'fast',
    randomSeed: 42,
    webhook: { callbackUrl: receiver.url, verifyToken: receiver.verifyToken },
    ...options,
  });
  const client = new SimulatorClient(sim.url);
  return {
    sim,
    client,
    receiver,
    async graph(method, path, body, token = DEMO.accessToken) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${sim.graphUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : null };
    },
    async close() {
      await sim.close();
      await receiver.close();
    },
  };
}

/** All `statuses[]` items received so far, flattened. */
export function statusesOf(received: ReceivedWebhook[]): any[] {
  const out: any[] = [];
  for (const r of received) {
    for (const entry of (r.json as any)?.entry ?? []) {
      for (const change of entry.changes ?? []) for (const s of change.value?.statuses ?? []) out.push(s);
    }
  }
  return out;
}

export function messagesOf(received: ReceivedWebhook[]): any[] {
  const out: any[] = [];
  for (const r of received) {
    for (const entry of (r.json as any)?.entry ?? []) {
      for (const change of entry.changes ?? []) for (const m of change.value?.messages ?? []) out.push(m);
    }
  }
  return out;
}

export function changesOf(received: ReceivedWebhook[], field: string): any[] {
  const out: any[] = [];
  for (const r of received) {
    for (const entry of (r.json as any)?.entry ?? [])
      for (const change of entry.changes ?? []) if (change.field === field) out.push(change.value);
  }
  return out;
}

export function messagingOf(received: ReceivedWebhook[]): any[] {
  const out: any[] = [];
  for (const r of received)
    for (const entry of (r.json as any)?.entry ?? [])
      for (const m of entry.messaging ?? []) out.push({ object: (r.json as any).object, entry, ...m });
  return out;
}

export const PHONE = DEMO.phoneNumberId;
export const ANA_WA = '5511999990001';

export function text(to: string, body: string, extra: Record<string, unknown> = {}) {
  return { messaging_product: 'whatsapp', to, type: 'text', text: { body }, ...extra };
}
