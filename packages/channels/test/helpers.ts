import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulator, DEMO, type Simulator, type SimulatorOptions } from '@parley/simulator';
import { SimulatorClient } from '@parley/testing/simulator-client';
import {
  createProviders,
  parseMetaWebhook,
  type AccountEvent,
  type CanonicalEvent,
  type ChannelAccount,
  type ClassifiedFailure,
  type MessageEvent,
  type SendResult,
  type StatusEvent,
  type WatermarkEvent,
  type ChannelKind,
  type ChannelProvider,
  type GraphOptions,
  type WebhookProblem,
} from '../src/index.ts';

/** One webhook POST exactly as it arrived. */
export interface RawDelivery {
  raw: Buffer;
  signature: string | undefined;
}

/** A local webhook endpoint on 127.0.0.1:0: answers Meta's GET handshake and records every POST's raw bytes. */
export interface Receiver {
  url: string;
  deliveries: RawDelivery[];
  /** Every canonical event parsed from every delivery so far. */
  events(): CanonicalEvent[];
  problems(): WebhookProblem[];
  /** Resolves with the first event matching, waiting for deliveries as they arrive. */
  waitForEvent<T extends CanonicalEvent>(
    predicate: (e: CanonicalEvent) => e is T,
    timeoutMs?: number,
  ): Promise<T>;
  /** Resolves with the first delivery whose raw text matches. */
  waitForDelivery(predicate: (d: RawDelivery) => boolean, timeoutMs?: number): Promise<RawDelivery>;
  close(): Promise<void>;
}

export async function startReceiver(verifyToken: string = DEMO.verifyToken): Promise<Receiver> {
  const deliveries: RawDelivery[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'GET') {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const ok =
          url.searchParams.get('hub.mode') === 'subscribe' &&
          url.searchParams.get('hub.verify_token') === verifyToken;
        res
          .writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' })
          .end(ok ? url.searchParams.get('hub.challenge') : '');
        return;
      }
      const header = req.headers['x-hub-signature-256'];
      deliveries.push({ raw: Buffer.concat(chunks), signature: Array.isArray(header) ? header[0] : header });
      res.writeHead(200).end('EVENT_RECEIVED');
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // a TCP listen() always yields AddressInfo

  const parsed = () => deliveries.map((d) => parseMetaWebhook(d.raw));
  function waitUntil<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const found = find();
      if (found !== undefined) {
        resolve(found);
        return;
      }
      const check = (): void => {
        const value = find();
        if (value === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`receiver: no ${what} within ${timeoutMs} ms (${deliveries.length} deliveries)`));
      }, timeoutMs);
      waiters.add(check);
    });
  }
  return {
    url: `http://127.0.0.1:${port}/webhooks/meta`,
    deliveries,
    events: () => parsed().flatMap((p) => p.events),
    problems: () => parsed().flatMap((p) => p.problems),
    waitForEvent<T extends CanonicalEvent>(predicate: (e: CanonicalEvent) => e is T, timeoutMs = 5000) {
      return waitUntil(
        () =>
          parsed()
            .flatMap((p) => p.events)
            .find(predicate),
        timeoutMs,
        'matching event',
      );
    },
    waitForDelivery(predicate, timeoutMs = 5000) {
      return waitUntil(() => deliveries.find(predicate), timeoutMs, 'matching delivery');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Harness {
  sim: Simulator;
  client: SimulatorClient;
  receiver: Receiver;
  graph: GraphOptions;
  providers: Record<ChannelKind, ChannelProvider>;
  accounts: Record<ChannelKind, ChannelAccount>;
  close(): Promise<void>;
}

/** The simulator on a random port (fast timing), its webhooks going to a fresh receiver, and our providers pointed at it. */
export async function startHarness(
  options: SimulatorOptions = {},
  graphOptions: Partial<GraphOptions> = {},
): Promise<Harness> {
  const receiver = await startReceiver();
  const sim = await createSimulator({
    port: 0,
    timing: 'fast',
    randomSeed: 7,
    webhook: { callbackUrl: receiver.url, verifyToken: DEMO.verifyToken },
    ...options,
  });
  const graph: GraphOptions = { baseUrl: sim.url, version: 'v23.0', ...graphOptions };
  return {
    sim,
    client: new SimulatorClient(sim.url),
    receiver,
    graph,
    providers: createProviders(graph),
    accounts: {
      whatsapp: {
        kind: 'whatsapp',
        accountId: DEMO.phoneNumberId,
        accessToken: DEMO.accessToken,
        wabaId: DEMO.wabaId,
      },
      messenger: { kind: 'messenger', accountId: DEMO.pageId, accessToken: DEMO.pageAccessToken },
      instagram: { kind: 'instagram', accountId: DEMO.instagramId, accessToken: DEMO.pageAccessToken },
    },
    async close() {
      await sim.close();
      await receiver.close();
    },
  };
}

/** Event predicates that narrow (tests wait for and assert on one kind at a time). */
export const messageWhere =
  (match: (m: MessageEvent) => boolean) =>
  (e: CanonicalEvent): e is MessageEvent =>
    e.type === 'message' && match(e);
export const statusWhere =
  (match: (s: StatusEvent) => boolean) =>
  (e: CanonicalEvent): e is StatusEvent =>
    e.type === 'status' && match(e);
export const watermarkWhere =
  (match: (w: WatermarkEvent) => boolean) =>
  (e: CanonicalEvent): e is WatermarkEvent =>
    e.type === 'watermark' && match(e);
export const accountWhere =
  (match: (a: AccountEvent) => boolean) =>
  (e: CanonicalEvent): e is AccountEvent =>
    e.type === 'account' && match(e);

export const messageWithId = (id: string) => messageWhere((m) => m.providerMessageId === id);
export const statusOf = (id: string, status: StatusEvent['status']) =>
  statusWhere((s) => s.providerMessageId === id && s.status === status);

/** Unwraps an ok SendResult (fails the test with the failure otherwise). */
export function sentId(result: SendResult | { ok: true }): string {
  if (!result.ok) throw new Error(`send failed: ${JSON.stringify(result.failure)}`);
  if (!('providerMessageId' in result)) throw new Error('no providerMessageId');
  return result.providerMessageId;
}

/** The failure of a SendResult that must have failed. */
export function failureOfResult(result: SendResult | { ok: true }): ClassifiedFailure {
  if (result.ok) throw new Error('expected the send to fail');
  return result.failure;
}
