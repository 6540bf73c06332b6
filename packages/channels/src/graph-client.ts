import type { GraphOptions } from './channel-provider.ts';
import { classifyGraphError } from './error-classification.ts';
import { ChannelError, LOCAL_ERROR_CODES, type ClassifiedFailure } from './failure.ts';
import { asObject } from './json-reader.ts';
import type { ChannelKind } from './message-content.ts';

export const DEFAULT_GRAPH_VERSION = 'v23.0';
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_DOWNLOAD_TIMEOUT_MS = 120_000;

export type GraphAnswer =
  | { ok: true; status: number; body: Record<string, unknown> }
  | { ok: false; status: number; failure: ClassifiedFailure };

export interface GraphCall {
  channel: ChannelKind;
  /** Names the operation in error messages (never a token, secret or message text). */
  label: string;
  token?: string;
  query?: Record<string, string>;
  body?: unknown;
}

export interface Download {
  bytes: Buffer;
  mimeType?: string;
  filename?: string;
}

/** Builds a Graph path from ids and edges, each segment URL-encoded. */
export function graphPath(...segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s)).join('/');
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function filenameFrom(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition)?.[1];
  if (star) {
    try {
      return decodeURIComponent(star.trim().replace(/^"|"$/g, ''));
    } catch {
      // fall back to the plain parameter
    }
  }
  return /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1]?.trim() || undefined;
}

/** Maps a fetch rejection to a retryable ChannelError (the original error may name hosts; we keep its code only). */
function transportError(error: unknown, channel: ChannelKind, label: string): ChannelError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ChannelError(`${channel} ${label} timed out`, {
      class: 'retryable',
      code: LOCAL_ERROR_CODES.timeout,
      title: 'Timeout',
    });
  }
  const cause = error instanceof Error ? asObject(error.cause) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return new ChannelError(`${channel} ${label} failed: network error${code ? ` (${code})` : ''}`, {
    class: 'retryable',
    code: LOCAL_ERROR_CODES.network,
    title: 'Network error',
    ...(code ? { details: code } : {}),
  });
}

/** Thin Graph API client: JSON in and out, Bearer auth, timeouts, classified failures. Stateless. */
export class GraphClient {
  readonly baseUrl: string;
  readonly version: string;
  private readonly timeoutMs: number;
  private readonly downloadTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: GraphOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.version = options.version ?? DEFAULT_GRAPH_VERSION;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
    const impl = options.fetch ?? globalThis.fetch;
    // Called detached from its owner: some fetch implementations insist on their `this`.
    this.fetchImpl = (input, init) => impl(input, init);
  }

  url(path: string, query?: Record<string, string>): string {
    const url = new URL(`${this.baseUrl}/${this.version}/${path}`);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url.toString();
  }

  /**
   * Calls the Graph API. Error answers resolve `{ok:false}` with the classified failure; network
   * failures, timeouts and unreadable 2xx answers throw `ChannelError`.
   */
  async call(method: 'GET' | 'POST' | 'DELETE', path: string, call: GraphCall): Promise<GraphAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    return this.send(path, call, {
      method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  /**
   * A multipart/form-data POST (media uploads). Error answers resolve `{ok:false}` like `call`;
   * network failures and timeouts throw `ChannelError`.
   */
  async upload(
    path: string,
    call: Omit<GraphCall, 'body'> & { form: FormData; timeoutMs?: number },
  ): Promise<GraphAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
    return this.send(path, call, {
      method: 'POST',
      headers,
      body: call.form,
      signal: AbortSignal.timeout(call.timeoutMs ?? this.downloadTimeoutMs),
    });
  }

  /** Sends one request and reads Meta's answer: a classified failure, or the JSON object. */
  private async send(
    path: string,
    call: Pick<GraphCall, 'query' | 'channel' | 'label'>,
    init: RequestInit,
  ): Promise<GraphAnswer> {
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await this.fetchImpl(this.url(path, call.query), init);
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (error) {
      throw transportError(error, call.channel, call.label);
    }
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (status < 200 || status >= 300) {
      const failure = classifyGraphError(status, parsed, call.channel);
      const wait = retryAfterMs(retryAfter);
      if (wait !== undefined) failure.retryAfterMs = wait;
      return { ok: false, status, failure };
    }
    const body = asObject(parsed);
    if (!body) throw unexpectedAnswer(call.channel, call.label, status);
    return { ok: true, status, body };
  }

  /** Like `call`, but a Graph error throws `ChannelError` too (for operations that return data). */
  async callOrThrow(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    call: GraphCall,
  ): Promise<Record<string, unknown>> {
    const answer = await this.call(method, path, call);
    if (!answer.ok) throw failedCall(call.channel, call.label, answer.failure);
    return answer.body;
  }

  /**
   * Downloads bytes from a URL (WhatsApp media URL with the Bearer token, or a Messenger/IG CDN
   * URL without one), refusing more than `maxBytes`.
   */
  async download(
    url: string,
    options: { channel: ChannelKind; label: string; token?: string; maxBytes: number; timeoutMs?: number },
  ): Promise<Download> {
    const { channel, label, maxBytes } = options;
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    try {
      const response = await this.fetchImpl(url, {
        headers,
        signal: AbortSignal.timeout(options.timeoutMs ?? this.downloadTimeoutMs),
      });
      if (!response.ok) {
        const text = await response.text();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        throw failedCall(channel, label, classifyGraphError(response.status, parsed, channel));
      }
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body?.cancel();
        throw tooLarge(channel, label, maxBytes);
      }
      const bytes = await readLimited(response, maxBytes, channel, label);
      const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
      return {
        bytes,
        mimeType: contentType,
        filename: filenameFrom(response.headers.get('content-disposition')),
      };
    } catch (error) {
      if (error instanceof ChannelError) throw error;
      throw transportError(error, channel, label);
    }
  }
}

async function readLimited(
  response: Response,
  maxBytes: number,
  channel: ChannelKind,
  label: string,
): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(channel, label, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function failedCall(channel: ChannelKind, label: string, failure: ClassifiedFailure): ChannelError {
  return new ChannelError(`${channel} ${label} failed: ${failure.class} (${failure.code})`, failure);
}

export function unexpectedAnswer(channel: ChannelKind, label: string, httpStatus: number): ChannelError {
  return new ChannelError(`${channel} ${label}: unexpected answer`, {
    class: 'unknown',
    code: LOCAL_ERROR_CODES.unexpectedResponse,
    title: 'Unexpected answer',
    httpStatus,
  });
}

function tooLarge(channel: ChannelKind, label: string, maxBytes: number): ChannelError {
  return new ChannelError(`${channel} ${label}: media larger than ${maxBytes} bytes`, {
    class: 'invalid_request',
    code: LOCAL_ERROR_CODES.mediaTooLarge,
    title: 'Media too large',
    details: `more than ${maxBytes} bytes`,
  });
}
