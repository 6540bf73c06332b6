import type { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import {
  parseRealtimeNotification,
  REALTIME_CHANNEL,
  realtimeRepository,
  type Database,
  type RealtimeEventRecord,
  type Tx,
} from '@parley/db';
import { sseComment, sseMessage, sseRetry } from './sse.ts';

/**
 * Adds fields to an event as it is sent (e.g. the message view of `message.created`). Runs in the
 * reading stream's transaction, scoped by RLS to the workspace; null adds nothing. Whatever it
 * returns is merged into `data` (its keys win).
 */
export type RealtimeHydrate = (
  tx: Tx,
  workspaceId: string,
  event: RealtimeEventRecord,
) => Promise<Record<string, unknown> | null>;

export interface RealtimeHubOptions {
  db: Database;
  logger: FastifyBaseLogger;
  hydrate?: RealtimeHydrate;
  /** Events per read; a client far behind is paged through in batches of this size. */
  batchSize?: number;
  /** A comment line is sent this often to every stream (proxies drop silent connections). */
  heartbeatMs?: number;
  /** A stream's credentials and permission are checked again this often. */
  reauthorizeMs?: number;
  /** The reconnection delay suggested to clients (`retry:`). */
  retryMs?: number;
}

/** What one SSE message carries in `data`. */
export interface RealtimeMessage {
  seq: number;
  type: string;
  conversationId: string | null;
  messageId: string | null;
  userId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

export type ResyncReason = 'events_pruned' | 'unknown_position';

export type RealtimeRead =
  | { kind: 'events'; events: RealtimeMessage[] }
  /** Events after the position are gone (pruned) or it is past the newest: reload, go on from `seq`. */
  | { kind: 'resync'; seq: number; reason: ResyncReason };

export interface OpenStreamOptions {
  workspaceId: string;
  /** Deliver events with seq > afterSeq. */
  afterSeq: number;
  /** Where the SSE text goes. When it closes (the client left) the stream ends. */
  out: Writable;
  /** Send what is available (one batch) and end, instead of following the log. */
  once?: boolean;
  /** Called every `reauthorizeMs`: false (or a throw) ends the stream. */
  reauthorize?: () => Promise<boolean>;
}

export interface RealtimeHub {
  /** Starts this process's LISTEN (once; a failed start is retried by the next call). */
  ready(): Promise<void>;
  /** Opens a stream: writes `retry:` and a `ready` message, then the events after `afterSeq`. */
  open(options: OpenStreamOptions): Promise<void>;
  /** One page of the log after `afterSeq`, read in the workspace's RLS scope and hydrated. */
  read(workspaceId: string, afterSeq: number, limit?: number): Promise<RealtimeRead>;
  /** Open streams in this process. */
  readonly size: number;
  /** Ends every stream cleanly and stops listening; open() fails afterwards. */
  close(): Promise<void>;
}

export class RealtimeHubClosedError extends Error {
  constructor() {
    super('the realtime hub is closed');
  }
}

export function createRealtimeHub(options: RealtimeHubOptions): RealtimeHub {
  return new Hub(options);
}

const DEFAULTS = { batchSize: 500, heartbeatMs: 15_000, reauthorizeMs: 60_000, retryMs: 2_000 };

class Hub implements RealtimeHub {
  readonly db: Database;
  readonly logger: FastifyBaseLogger;
  readonly batchSize: number;
  readonly heartbeatMs: number;
  readonly reauthorizeMs: number;
  readonly retryMs: number;
  private readonly hydrate: RealtimeHydrate | undefined;
  private readonly streams = new Map<string, Set<EventStream>>();
  private listening: Promise<void> | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(o: RealtimeHubOptions) {
    this.db = o.db;
    this.logger = o.logger;
    this.hydrate = o.hydrate;
    this.batchSize = o.batchSize ?? DEFAULTS.batchSize;
    this.heartbeatMs = o.heartbeatMs ?? DEFAULTS.heartbeatMs;
    this.reauthorizeMs = o.reauthorizeMs ?? DEFAULTS.reauthorizeMs;
    this.retryMs = o.retryMs ?? DEFAULTS.retryMs;
  }

  get size(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  ready(): Promise<void> {
    if (this.closing) return Promise.reject(new RealtimeHubClosedError());
    this.listening ??= this.db
      .listen(REALTIME_CHANNEL, (payload) => this.notified(payload), {
        // NOTIFYs sent while the connection was down are lost: every stream reads again.
        onReconnect: () => {
          this.logger.info('realtime: LISTEN connection re-established');
          for (const set of this.streams.values()) for (const s of set) s.wake(null);
        },
        onError: (err) => this.logger.warn({ err }, 'realtime: LISTEN connection lost, reconnecting'),
      })
      .then(
        (stop) => {
          this.unlisten = stop;
        },
        (err: unknown) => {
          this.listening = null;
          throw err;
        },
      );
    return this.listening;
  }

  async open(o: OpenStreamOptions): Promise<void> {
    // Listening before the first read: an event committed after that read is always notified.
    if (!o.once) await this.ready();
    if (this.closing) throw new RealtimeHubClosedError();
    const stream = new EventStream(this, o);
    stream.write(sseRetry(this.retryMs));
    stream.write(sseMessage({ id: o.afterSeq, event: 'ready', data: { seq: o.afterSeq } }));
    if (o.once) {
      void stream.pumpOnce();
      return;
    }
    let set = this.streams.get(o.workspaceId);
    if (!set) this.streams.set(o.workspaceId, (set = new Set()));
    set.add(stream);
    this.startTimer();
    stream.wake(null);
  }

  remove(stream: EventStream): void {
    const set = this.streams.get(stream.workspaceId);
    if (!set) return;
    set.delete(stream);
    if (set.size === 0) this.streams.delete(stream.workspaceId);
  }

  async read(workspaceId: string, afterSeq: number, limit = this.batchSize): Promise<RealtimeRead> {
    return this.db.run({ workspaceId }, async (tx) => {
      const log = realtimeRepository(tx, workspaceId);
      let rows = await log.listSince(afterSeq, limit);
      if (rows.length === 0) {
        const latest = await log.latestSeq();
        if (latest === afterSeq) return { kind: 'events', events: [] };
        if (latest < afterSeq) return { kind: 'resync', seq: latest, reason: 'unknown_position' };
        // `latest` was read after the list: an event committed in between is visible now.
        rows = await log.listSince(afterSeq, limit);
        if (rows.length === 0) return { kind: 'resync', seq: latest, reason: 'events_pruned' };
      }
      // Seqs are gap-free and pruning removes the oldest first, so a missing afterSeq + 1 was
      // pruned; any other hole (which pruning never leaves) is treated the same: never skipped.
      if (rows.some((row, i) => row.seq !== afterSeq + 1 + i)) {
        return { kind: 'resync', seq: await log.latestSeq(), reason: 'events_pruned' };
      }
      const events: RealtimeMessage[] = [];
      for (const row of rows) events.push(await this.message(tx, workspaceId, row));
      return { kind: 'events', events };
    });
  }

  private async message(tx: Tx, workspaceId: string, row: RealtimeEventRecord): Promise<RealtimeMessage> {
    let extra: Record<string, unknown> | null = null;
    if (this.hydrate) {
      try {
        extra = await this.hydrate(tx, workspaceId, row);
      } catch (err) {
        // The event still goes out (ids only): the client can fetch what it refers to.
        this.logger.error({ err, workspaceId, seq: row.seq, type: row.type }, 'realtime: hydrate failed');
      }
    }
    return {
      seq: row.seq,
      type: row.type,
      conversationId: row.conversationId,
      messageId: row.messageId,
      userId: row.userId,
      data: extra ? { ...row.data, ...extra } : row.data,
      createdAt: row.createdAt.toISOString(),
    };
  }

  private notified(payload: string): void {
    const n = parseRealtimeNotification(payload);
    if (!n) return;
    const set = this.streams.get(n.workspaceId);
    if (set) for (const s of set) s.wake(n.seq);
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const set of this.streams.values()) for (const s of set) s.tick(now);
    }, this.heartbeatMs);
    this.timer.unref();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      for (const set of [...this.streams.values()])
        for (const s of [...set]) s.end('server shutting down', true);
      this.streams.clear();
      await this.listening?.catch(() => undefined);
      await this.unlisten?.().catch((err: unknown) =>
        this.logger.warn({ err }, 'realtime: could not stop listening'),
      );
    })();
    return this.closing;
  }
}

/** One client's stream: follows the workspace's log from `lastSeq`, one read at a time. */
class EventStream {
  readonly workspaceId: string;
  private lastSeq: number;
  private readonly out: Writable;
  private readonly reauthorize: (() => Promise<boolean>) | undefined;
  private reading = false;
  private pending = false;
  private closed = false;
  private authorizedAt = Date.now();
  private reauthorizing = false;
  private stalledSince: number | null = null;

  constructor(
    private readonly hub: Hub,
    o: OpenStreamOptions,
  ) {
    this.workspaceId = o.workspaceId;
    this.lastSeq = o.afterSeq;
    this.out = o.out;
    this.reauthorize = o.reauthorize;
    this.out.on('close', () => this.dispose());
    this.out.on('error', () => this.dispose());
  }

  write(chunk: string): void {
    if (!this.closed) this.out.write(chunk);
  }

  /** A NOTIFY for `seq` (null: anything may be new) arrived. Reads coalesce: one at a time. */
  wake(seq: number | null): void {
    if (this.closed || (seq !== null && seq <= this.lastSeq)) return;
    if (this.reading) {
      this.pending = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.reading = true;
    try {
      do {
        this.pending = false;
        await this.readOnce();
        await this.drained();
      } while (this.pending && !this.closed);
    } catch (err) {
      if (!this.closed) {
        // The client reconnects with its Last-Event-ID and misses nothing.
        this.hub.logger.error({ err, workspaceId: this.workspaceId }, 'realtime: stream read failed');
        this.end('read failed');
      }
    } finally {
      this.reading = false;
    }
  }

  /** Reads one page and writes it; sets `pending` when there may be more. */
  private async readOnce(): Promise<void> {
    const page = await this.hub.read(this.workspaceId, this.lastSeq);
    if (this.closed) return;
    if (page.kind === 'resync') {
      this.lastSeq = page.seq;
      this.write(sseMessage({ id: page.seq, event: 'resync', data: { seq: page.seq, reason: page.reason } }));
      this.pending = true;
      return;
    }
    const last = page.events.at(-1);
    if (!last) return;
    this.write(page.events.map((e) => sseMessage({ id: e.seq, event: e.type, data: e })).join(''));
    this.lastSeq = last.seq;
    if (page.events.length >= this.hub.batchSize) this.pending = true;
  }

  async pumpOnce(): Promise<void> {
    try {
      await this.readOnce();
      await this.drained();
      this.end();
    } catch (err) {
      this.hub.logger.error({ err, workspaceId: this.workspaceId }, 'realtime: read failed');
      this.end('read failed');
    }
  }

  /** Backpressure: the next page is read only once the client has taken this one. */
  private async drained(): Promise<void> {
    if (this.closed || !this.out.writableNeedDrain) return;
    this.stalledSince = Date.now();
    await new Promise<void>((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
    });
    this.stalledSince = null;
  }

  /** Heartbeat, re-authorization, and dropping a client that stopped reading. */
  tick(now: number): void {
    if (this.closed) return;
    if (this.stalledSince !== null && now - this.stalledSince > 4 * this.hub.heartbeatMs) {
      // It resumes from its Last-Event-ID when it reconnects.
      this.dispose();
      this.out.destroy();
      return;
    }
    if (!this.out.writableNeedDrain) this.write(sseComment('ping'));
    if (this.reauthorize && !this.reauthorizing && now - this.authorizedAt >= this.hub.reauthorizeMs) {
      this.reauthorizing = true;
      this.reauthorize()
        .then(
          (ok) => {
            if (ok) this.authorizedAt = now;
            else this.end('not authorized');
          },
          () => this.end('not authorized'),
        )
        .finally(() => {
          this.reauthorizing = false;
        });
    }
  }

  /** Ends the response after what is buffered; `force` drops a client that is not reading. */
  end(comment?: string, force = false): void {
    if (this.closed) return;
    if (comment) this.out.write(sseComment(comment));
    this.dispose();
    if (force && this.out.writableNeedDrain) this.out.destroy();
    else this.out.end();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.remove(this);
  }
}
