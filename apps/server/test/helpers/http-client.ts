import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './test-app.ts';

export interface Response<T = any> {
  status: number;
  body: T;
  headers: LightMyRequestResponse['headers'];
  raw: LightMyRequestResponse;
}

/**
 * Talks to the app like a browser (session cookie + CSRF header) or an integrator (bearer API
 * key), always through real HTTP handling (`inject`).
 */
export class HttpClient {
  cookie: string | null = null;
  csrf: string | null = null;
  bearer: string | null = null;
  workspaceId: string | null = null;
  userId: string | null = null;
  ip = '127.0.0.1';

  constructor(readonly app: TestApp) {}

  /** A client that acts with an API key instead of a session. */
  static withApiKey(app: TestApp, token: string): HttpClient {
    const c = new HttpClient(app);
    c.bearer = token;
    return c;
  }

  async request<T = any>(
    method: string,
    url: string,
    body?: unknown,
    opts: {
      headers?: Record<string, string>;
      rawBody?: string | Buffer;
      contentType?: string;
      workspace?: boolean;
    } = {},
  ): Promise<Response<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.cookie) headers.cookie = `parley_session=${this.cookie}`;
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.workspaceId && opts.workspace !== false) headers['x-workspace-id'] = this.workspaceId;
    let payload: string | Buffer | undefined;
    if (opts.rawBody !== undefined) {
      payload = opts.rawBody;
      headers['content-type'] = opts.contentType ?? 'application/json';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await this.app.inject({
      method: method as 'GET',
      url,
      headers,
      remoteAddress: this.ip,
      ...(payload !== undefined ? { payload } : {}),
    });
    const setCookie = res.cookies.find((c) => c.name === 'parley_session');
    if (setCookie) this.cookie = setCookie.value || null;
    let parsed: any = res.body;
    if ((res.headers['content-type'] ?? '').toString().includes('json') && res.body)
      parsed = JSON.parse(res.body);
    if (parsed && typeof parsed === 'object' && typeof parsed.csrfToken === 'string')
      this.csrf = parsed.csrfToken;
    return { status: res.statusCode, body: parsed, headers: res.headers, raw: res };
  }

  get<T = any>(url: string) {
    return this.request<T>('GET', url);
  }
  post<T = any>(url: string, body?: unknown) {
    return this.request<T>('POST', url, body ?? {});
  }
  patch<T = any>(url: string, body?: unknown) {
    return this.request<T>('PATCH', url, body ?? {});
  }
  delete<T = any>(url: string) {
    return this.request<T>('DELETE', url);
  }
}
