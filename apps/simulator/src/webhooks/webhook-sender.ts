import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import type { TimingConfig, WebhookFaults } from '../config.ts';
import type { Random } from '../random.ts';
import type { Scheduler } from '../scheduler.ts';
import { metaJson, signatureSha1, signatureSha256 } from './meta-json.ts';

/** Where a webhook goes, resolved at delivery time (the callback may change meanwhile). */
export interface ResolvedTarget {
  url: string;
  /** App secret for `X-Hub-Signature-256`; null = unsigned (Google lead forms). */
  secret: string | null;
  /** Verify token for the GET handshake; null = no handshake. */
  verifyToken: string | null;
  isVerified(): boolean;
  markVerified(ok: boolean): void;
}

export interface WebhookTarget {
  /** Stable key used for batching (same key ⇒ may share one POST). */
  key: string;
  appId: string | null;
  resolve(): ResolvedTarget | null;
}

/** A Meta webhook payload: `{object, entry:[...]}`; Google lead payloads are sent as they are. */
export type WebhookPayload = { object: string; entry: unknown[] } | Record<string, unknown>;

interface Job {
  id: number;
  target: WebhookTarget;
  payload: WebhookPayload;
  /** Number of events (messages, statuses, changes) carried — for throughput statistics. */
  events: number;
  attempt: number;
  faultsApplied: boolean;
}

export type DeliveryOutcome =
  'ok' | 'http_error' | 'timeout' | 'network_error' | 'dropped' | 'no_callback' | 'gave_up';

export interface DeliveryRecord {
  seq: number;
  jobId: number;
  kind: 'verify' | 'event';
  appId: string | null;
  url: string | null;
  attempt: number;
  outcome: DeliveryOutcome;
  status: number | null;
  /** Real time (epoch ms) the attempt started. */
  at: number;
  durationMs: number;
  /** Exact bytes sent (null for the GET handshake). */
  body: string | null;
  signature: string | null;
  object: string | null;
  fields: string[];
  events: number;
}

export interface WebhookStats {
  queued: number;
  inFlight: number;
  pendingRetries: number;
  postsOk: number;
  eventsDelivered: number;
  attemptsFailed: number;
  dropped: number;
  duplicated: number;
  gaveUp: number;
  verifications: number;
}

export interface WebhookSenderOptions {
  timing: () => TimingConfig;
  faults: () => WebhookFaults;
  random: Random;
  scheduler: Scheduler;
  concurrency?: number;
  logLimit?: number;
  /** Also send the legacy SHA-1 `X-Hub-Signature` header. */
  sha1Header?: boolean;
}

const REORDER_FLUSH_MS = 30;

/**
 * Delivers webhooks with Meta's semantics: verification handshake before the first delivery,
 * signed exact bytes, at-least-once (retries with exponential backoff on non-200/timeout), and
 * switchable duplicate / drop / reorder / batch / latency faults.
 */
export class WebhookSender {
  private readonly queue: (Job | undefined)[] = [];
  private queueHead = 0;
  private readonly ready: Job[] = [];
  private inFlight = 0;
  private pendingRetries = 0;
  private jobSeq = 0;
  private logSeq = 0;
  private readonly log: DeliveryRecord[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly verifying = new Map<string, Promise<boolean>>();
  private reorderFlushAt = 0;
  private reorderTimer = false;
  /** Keep-alive connection pools per callback origin (undici: far cheaper per request than node:http). */
  private readonly agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  private readonly concurrency: number;
  private readonly logLimit: number;
  readonly stats: WebhookStats = {
    queued: 0,
    inFlight: 0,
    pendingRetries: 0,
    postsOk: 0,
    eventsDelivered: 0,
    attemptsFailed: 0,
    dropped: 0,
    duplicated: 0,
    gaveUp: 0,
    verifications: 0,
  };
  /** When false, bodies are not kept in the log (saves memory under load). */
  logBodies = true;

  constructor(private readonly options: WebhookSenderOptions) {
    this.concurrency = options.concurrency ?? 48;
    this.logLimit = options.logLimit ?? 5000;
  }

  enqueue(target: WebhookTarget, payload: WebhookPayload, events = 1): void {
    if (this.options.scheduler.isClosed) return;
    this.jobSeq += 1;
    this.queue.push({ id: this.jobSeq, target, payload, events, attempt: 0, faultsApplied: false });
    this.pump();
  }

  deliveries(since = 0, limit = 1000): DeliveryRecord[] {
    const out: DeliveryRecord[] = [];
    for (const record of this.log) {
      if (record.seq > since) {
        out.push(record);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  clearLog(): void {
    this.log.length = 0;
  }

  get lastSeq(): number {
    return this.logSeq;
  }

  snapshotStats(): WebhookStats {
    return {
      ...this.stats,
      queued: this.queue.length - this.queueHead + this.ready.length,
      inFlight: this.inFlight,
      pendingRetries: this.pendingRetries,
    };
  }

  /** Resolves when nothing is queued, in flight or waiting for a retry. */
  waitIdle(timeoutMs = 10_000): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        resolve(false);
      }, timeoutMs);
      this.idleWaiters.push(() => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  close(): void {
    this.queue.length = 0;
    this.queueHead = 0;
    this.ready.length = 0;
    void this.agent.destroy().catch(() => undefined);
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  /** Runs the GET handshake now (used when a callback is configured through the control API). */
  async verify(target: ResolvedTarget): Promise<{ ok: boolean; status: number | null; body: string | null }> {
    const challenge = randomBytes(8).readBigUInt64BE().toString().slice(0, 10);
    const url = new URL(target.url);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.challenge', challenge);
    url.searchParams.set('hub.verify_token', target.verifyToken ?? '');
    const started = Date.now();
    const result = await this.request(url, 'GET', null, {});
    this.stats.verifications += 1;
    const ok = 'status' in result && result.status === 200 && result.text.trim() === challenge;
    this.record({
      jobId: 0,
      kind: 'verify',
      appId: null,
      url: target.url,
      attempt: 1,
      outcome: ok ? 'ok' : 'status' in result ? 'http_error' : result.error,
      status: 'status' in result ? result.status : null,
      at: started,
      durationMs: Date.now() - started,
      body: null,
      signature: null,
      object: null,
      fields: [],
      events: 0,
    });
    target.markVerified(ok);
    return {
      ok,
      status: 'status' in result ? result.status : null,
      body: 'status' in result ? result.text : null,
    };
  }

  // Internals ------------------------------------------------------------------------------

  private isIdle(): boolean {
    return (
      this.queue.length - this.queueHead === 0 &&
      this.ready.length === 0 &&
      this.inFlight === 0 &&
      this.pendingRetries === 0
    );
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  private takeQueued(): Job | undefined {
    if (this.queueHead >= this.queue.length) return undefined;
    const job = this.queue[this.queueHead];
    this.queue[this.queueHead] = undefined; // release the reference; the slot is never read again
    this.queueHead += 1;
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    return job;
  }

  private queuedCount(): number {
    return this.queue.length - this.queueHead;
  }

  private nextJob(): Job | undefined {
    const ready = this.ready.shift();
    if (ready) return ready;
    const window = this.options.faults().reorderWindow;
    if (window > 1 && this.queuedCount() > 0) {
      const now = Date.now();
      if (this.queuedCount() < window) {
        if (this.reorderFlushAt === 0) this.reorderFlushAt = now + REORDER_FLUSH_MS;
        if (now < this.reorderFlushAt) {
          if (!this.reorderTimer) {
            this.reorderTimer = true;
            this.options.scheduler.after(this.reorderFlushAt - now + 1, () => {
              this.reorderTimer = false;
              this.pump();
            });
          }
          return undefined;
        }
      }
      this.reorderFlushAt = 0;
      const held: Job[] = [];
      while (held.length < window) {
        const job = this.takeQueued();
        if (!job) break;
        held.push(job);
      }
      held.reverse();
      this.ready.push(...held.slice(1));
      return held[0];
    }
    return this.takeQueued();
  }

  private pump(): void {
    while (this.inFlight < this.concurrency) {
      const job = this.nextJob();
      if (!job) break;
      const batch = this.collectBatch(job);
      this.inFlight += 1;
      void this.deliver(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
        this.notifyIdle();
      });
    }
    this.notifyIdle();
  }

  /** Merges further queued jobs for the same target into one POST (Meta batches several changes). */
  private collectBatch(first: Job): Job {
    const size = this.options.faults().batchSize;
    if (size <= 1 || !isMetaPayload(first.payload)) return first;
    const entries = [...first.payload.entry];
    let events = first.events;
    let count = 1;
    while (count < size && this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead];
      if (!next || next.target.key !== first.target.key || !isMetaPayload(next.payload)) break;
      if (next.payload.object !== first.payload.object || next.attempt !== 0) break;
      this.takeQueued();
      entries.push(...next.payload.entry);
      events += next.events;
      count += 1;
    }
    if (count === 1) return first;
    return { ...first, payload: { object: first.payload.object, entry: entries }, events };
  }

  private async deliver(job: Job): Promise<void> {
    const faults = this.options.faults();
    if (!job.faultsApplied) {
      job.faultsApplied = true;
      if (faults.dropNext > 0 || this.options.random.chance(faults.dropRate)) {
        if (faults.dropNext > 0) faults.dropNext -= 1;
        this.stats.dropped += 1;
        this.recordJob(job, null, 'dropped', null, Date.now(), null, null);
        return;
      }
      if (faults.duplicateNext > 0 || this.options.random.chance(faults.duplicateRate)) {
        if (faults.duplicateNext > 0) faults.duplicateNext -= 1;
        this.stats.duplicated += 1;
        this.jobSeq += 1;
        this.queue.push({ ...job, id: this.jobSeq, attempt: 0, faultsApplied: true });
      }
    }
    if (faults.latencyMs > 0) await this.options.scheduler.sleep(faults.latencyMs);
    if (this.options.scheduler.isClosed) return;

    const target = job.target.resolve();
    if (!target) {
      this.recordJob(job, null, 'no_callback', null, Date.now(), null, null);
      return;
    }
    job.attempt += 1;
    if (target.verifyToken !== null && !target.isVerified()) {
      const ok = await this.ensureVerified(target);
      if (!ok) {
        this.retryOrGiveUp(job, target.url);
        return;
      }
    }
    const body = metaJson(job.payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'facebookexternalua',
    };
    let signature: string | null = null;
    if (target.secret !== null) {
      signature = signatureSha256(target.secret, body);
      headers['x-hub-signature-256'] = signature;
      if (this.options.sha1Header !== false) headers['x-hub-signature'] = signatureSha1(target.secret, body);
    }
    const started = Date.now();
    const result = await this.request(new URL(target.url), 'POST', body, headers);
    if ('status' in result && result.status === 200) {
      this.stats.postsOk += 1;
      this.stats.eventsDelivered += job.events;
      this.recordJob(job, target.url, 'ok', 200, started, body, signature);
      return;
    }
    this.stats.attemptsFailed += 1;
    this.recordJob(
      job,
      target.url,
      'status' in result ? 'http_error' : result.error,
      'status' in result ? result.status : null,
      started,
      body,
      signature,
    );
    this.retryOrGiveUp(job, target.url);
  }

  private retryOrGiveUp(job: Job, url: string): void {
    const timing = this.options.timing();
    if (job.attempt >= timing.webhookMaxAttempts) {
      this.stats.gaveUp += 1;
      this.recordJob(job, url, 'gave_up', null, Date.now(), null, null);
      return;
    }
    const delay = Math.min(timing.webhookRetryMaxMs, timing.webhookRetryBaseMs * 2 ** (job.attempt - 1));
    this.pendingRetries += 1;
    this.options.scheduler.after(delay, () => {
      this.pendingRetries -= 1;
      this.queue.push(job);
      this.pump();
    });
  }

  private ensureVerified(target: ResolvedTarget): Promise<boolean> {
    const key = `${target.url}\n${target.verifyToken ?? ''}`;
    let pending = this.verifying.get(key);
    if (!pending) {
      pending = this.verify(target).then(
        (r) => r.ok,
        () => false,
      );
      this.verifying.set(key, pending);
      void pending.finally(() => this.verifying.delete(key));
    }
    return pending;
  }

  private async request(
    url: URL,
    method: 'GET' | 'POST',
    body: string | null,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string } | { error: 'timeout' | 'network_error' }> {
    const timeoutMs = this.options.timing().webhookTimeoutMs;
    try {
      const response = await request(url, {
        method,
        headers,
        body: body ?? undefined,
        dispatcher: this.agent,
        // undici's own timeouts have ~1 s granularity; an abort signal is exact.
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The challenge needs the text; event responses are discarded unread.
      const text = method === 'GET' ? (await response.body.text()).slice(0, 4096) : '';
      if (method !== 'GET') await response.body.dump();
      return { status: response.statusCode, text };
    } catch (error) {
      const name = error instanceof Error ? `${error.name} ${'code' in error ? String(error.code) : ''}` : '';
      return { error: /Timeout|TIMEOUT|Abort/.test(name) ? 'timeout' : 'network_error' };
    }
  }

  private recordJob(
    job: Job,
    url: string | null,
    outcome: DeliveryOutcome,
    status: number | null,
    started: number,
    body: string | null,
    signature: string | null,
  ): void {
    const meta = isMetaPayload(job.payload) ? job.payload : null;
    this.record({
      jobId: job.id,
      kind: 'event',
      appId: job.target.appId,
      url,
      attempt: job.attempt,
      outcome,
      status,
      at: started,
      durationMs: Date.now() - started,
      body: this.logBodies ? body : null,
      signature,
      object: meta ? meta.object : null,
      fields: meta ? fieldsOf(meta.entry) : [],
      events: job.events,
    });
  }

  private record(entry: Omit<DeliveryRecord, 'seq'>): void {
    this.logSeq += 1;
    this.log.push({ seq: this.logSeq, ...entry });
    if (this.log.length > this.logLimit * 1.25) this.log.splice(0, this.log.length - this.logLimit);
  }
}

function isMetaPayload(payload: WebhookPayload): payload is { object: string; entry: unknown[] } {
  return typeof payload.object === 'string' && Array.isArray(payload.entry);
}

function fieldsOf(entries: unknown[]): string[] {
  const fields = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const changes: unknown = (entry as { changes?: unknown }).changes; // narrowing an unknown JSON entry
    if (Array.isArray(changes)) {
      for (const change of changes) {
        const field: unknown = (change as { field?: unknown }).field; // same: untyped JSON
        if (typeof field === 'string') fields.add(field);
      }
    }
    if ('messaging' in entry) fields.add('messaging');
  }
  return [...fields];
}
