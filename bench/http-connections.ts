/**
 * A lean HTTP/1.1 client for the ingest benchmark: keep-alive connections, one request at a time
 * on each (no pipelining), each request encoded once before the run as a single buffer. The load
 * generator shares the machine's cores with the servers it measures, so every microsecond it
 * spends is taken from them; this costs a write and a read per request, where a general-purpose
 * client (undici) spent about 100 µs of JavaScript on each at 3,000/s.
 *
 * It understands what the servers under test answer: a status line, headers and a body framed
 * by Content-Length or chunked encoding. Anything else fails that request (status 0) and closes
 * its connection; a new one replaces it.
 */
import net from 'node:net';

export interface HttpTarget {
  host: string;
  port: number;
}

/** One POST, encoded before the run (request line, headers and body in one buffer). */
export function encodePost(
  target: HttpTarget,
  path: string,
  headers: Record<string, string>,
  body: string,
): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const lines = [
    `POST ${path} HTTP/1.1`,
    `host: ${target.host}:${target.port}`,
    'connection: keep-alive',
    `content-length: ${bytes.length}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]);
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[ \t]*chunked/i;
const CONNECTION_CLOSE = /\r\nconnection:[ \t]*close/i;

type Done = (status: number) => void;

/** A keep-alive connection that carries one request at a time. */
class Connection {
  private readonly socket: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: Done | null = null;
  private closed = false;

  constructor(
    target: HttpTarget,
    private readonly onIdle: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
  ) {
    this.socket = net.connect({ host: target.host, port: target.port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', () => this.close());
    this.socket.on('close', () => this.close());
  }

  send(request: Buffer, done: Done): void {
    this.pending = done;
    this.socket.write(request);
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headEnd = this.buffered.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headEnd);
    const status = Number(head.slice(9, 12));
    const bodyStart = headEnd + HEAD_END.length;
    const end = CHUNKED.test(head) ? chunkedEnd(this.buffered, bodyStart) : lengthEnd(head, bodyStart);
    if (end === null || !Number.isInteger(status)) return this.close();
    if (end > this.buffered.length) return; // the rest of the body is still on its way
    const done = this.pending;
    this.pending = null;
    this.buffered = this.buffered.subarray(end);
    // Free (or gone) before the caller hears back, so what it sends next can use this connection.
    if (CONNECTION_CLOSE.test(head) || this.buffered.length > 0) this.drop();
    else this.onIdle(this);
    done?.(status);
  }

  /** Closes the connection; a request still waiting on it fails with status 0. */
  close(): void {
    const done = this.pending;
    this.pending = null;
    this.drop();
    done?.(0);
  }

  private drop(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onGone(this);
  }
}

function lengthEnd(head: string, bodyStart: number): number | null {
  const length = CONTENT_LENGTH.exec(head);
  return length ? bodyStart + Number(length[1]) : null;
}

/** Where a chunked body ends (past its last chunk and trailer), Infinity while incomplete. */
function chunkedEnd(buf: Buffer, from: number): number | null {
  let at = from;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return Number.POSITIVE_INFINITY;
    const size = Number.parseInt(buf.toString('latin1', at, lineEnd), 16);
    if (!Number.isFinite(size)) return null;
    if (size === 0) {
      const trailerEnd = buf.indexOf(HEAD_END, lineEnd, 'latin1');
      return trailerEnd < 0 ? Number.POSITIVE_INFINITY : trailerEnd + HEAD_END.length;
    }
    at = lineEnd + 2 + size + 2;
    if (at > buf.length) return Number.POSITIVE_INFINITY;
  }
}

/**
 * Up to `max` keep-alive connections, opened as they are needed. `request` sends on an idle one
 * (or a new one while fewer than `max` are open) and returns false when every connection is busy.
 */
export class HttpConnections {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();

  constructor(
    private readonly target: HttpTarget,
    private readonly max: number,
  ) {}

  /** Sends one request; `done` gets the status (0: the connection failed). */
  request(encoded: Buffer, done: Done): boolean {
    let connection = this.idle.pop();
    if (!connection) {
      if (this.all.size >= this.max) return false;
      connection = new Connection(
        this.target,
        (c) => this.idle.push(c),
        (c) => {
          this.all.delete(c);
          const i = this.idle.indexOf(c);
          if (i >= 0) this.idle.splice(i, 1);
        },
      );
      this.all.add(connection);
    }
    connection.send(encoded, done);
    return true;
  }

  close(): void {
    for (const c of [...this.all]) c.close();
  }
}
