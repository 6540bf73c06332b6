import assert from 'node:assert/strict';
import http from 'node:http';

/** One Server-Sent Events message as a browser's EventSource would dispatch it. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/**
 * A minimal SSE client over real HTTP (node:http): parses `id` / `event` / `data` / `retry` fields and
 * comment lines, and lets a test wait for what it expects.
 */
export class SseStream {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | null = null;
  ended = false;
  private buffer = '';
  private waiters = new Set<() => void>();

  private constructor(
    readonly status: number,
    readonly headers: http.IncomingHttpHeaders,
    /** The parsed JSON of a non-200 answer. */
    readonly body: any,
    private readonly request: http.ClientRequest,
  ) {}

  /**
   * GET `url` on a connection of its own (no agent, no keep-alive), so closing the stream closes
   * exactly that connection.
   */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        url,
        { agent: false, headers: { accept: 'text/event-stream', ...headers } },
        (res) => {
          const status = res.statusCode ?? 0;
          res.setEncoding('utf8');
          if (status !== 200) {
            let text = '';
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => {
              const stream = new SseStream(status, res.headers, text ? JSON.parse(text) : null, request);
              stream.ended = true;
              resolve(stream);
            });
            res.on('error', reject);
            return;
          }
          const stream = new SseStream(status, res.headers, null, request);
          res.on('data', (chunk: string) => stream.receive(chunk));
          const end = () => {
            stream.ended = true;
            stream.notify();
          };
          res.on('end', end);
          res.on('close', end);
          res.on('error', end);
          resolve(stream);
        },
      );
      request.on('error', reject);
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      this.parse(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 2);
    }
    this.notify();
  }

  private parse(block: string): void {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry') this.retry = Number(value);
    }
    if (data.length > 0) this.events.push({ id, event, data: data.join('\n') });
  }

  private notify(): void {
    for (const w of this.waiters) w();
  }

  /** Waits until `check` holds (re-checked as data arrives); fails after `timeoutMs`. */
  async waitFor(check: (s: SseStream) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (check(this)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(`timed out waiting for ${what}; got ${this.events.length} messages, ended=${this.ended}`),
        );
      }, timeoutMs);
      const waiter = () => {
        if (!check(this)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  /** The log's events (without the `ready` / `resync` control messages). */
  logEvents(): SseEvent[] {
    return this.events.filter((e) => e.event !== 'ready' && e.event !== 'resync');
  }

  seqs(): number[] {
    return this.logEvents().map((e) => Number(e.id));
  }

  lastId(): string {
    const last = this.events.at(-1);
    assert.ok(last?.id, 'no message with an id yet');
    return last.id;
  }

  async waitForSeq(seq: number, timeoutMs?: number): Promise<void> {
    await this.waitFor((s) => s.seqs().includes(seq), `seq ${seq}`, timeoutMs);
  }

  close(): void {
    this.request.destroy();
  }
}

/** 1..n shifted: [from, from + 1, …, to]. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
