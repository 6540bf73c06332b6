/**
 * The one way the app talks to the API: same-origin fetch with the session cookie, the CSRF token
 * on state changes, the workspace header, and errors as ApiError (the server's error envelope).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly errorId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** 401 codes that mean "this browser is not signed in (any more)". */
const SIGNED_OUT_CODES = new Set(['session_expired', 'unauthenticated', 'two_factor_pending']);

let csrfToken: string | null = null;
type Listener = (error: ApiError, workspaceId: string | null) => void;
const listeners = new Set<Listener>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called for every API error a page did not opt out of (session ended, 2FA enrolment required). */
export function onApiError(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function isSignedOutError(e: unknown): boolean {
  return isApiError(e) && e.status === 401 && SIGNED_OUT_CODES.has(e.code);
}

export interface RequestOptions {
  body?: unknown;
  workspaceId?: string | null;
  /** Sign-in steps handle their own 401s (wrong password is not "session ended"). */
  quiet?: boolean;
  /** Extra request headers (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
}

export async function api<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (opts.workspaceId) headers['x-workspace-id'] = opts.workspaceId;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }
  if (res.status === 204 || res.status === 202) return undefined as T;
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const err = (parsed as { error?: Record<string, unknown> } | null)?.error;
    const error = new ApiError(
      res.status,
      typeof err?.code === 'string' ? err.code : 'http_error',
      typeof err?.message === 'string' ? err.message : `HTTP ${res.status}`,
      (err?.details as Record<string, unknown> | undefined) ?? {},
      typeof err?.errorId === 'string' ? err.errorId : null,
    );
    if (!opts.quiet) for (const l of listeners) l(error, opts.workspaceId ?? null);
    throw error;
  }
  if (
    parsed &&
    typeof parsed === 'object' &&
    typeof (parsed as { csrfToken?: unknown }).csrfToken === 'string'
  ) {
    csrfToken = (parsed as { csrfToken: string }).csrfToken;
  }
  return parsed as T;
}

/**
 * Uploads one file as multipart/form-data (part "file") with the session's CSRF token, reporting
 * progress (0–1). XMLHttpRequest, because fetch reports no upload progress. Errors are ApiErrors.
 */
export function uploadFile<T>(
  path: string,
  file: File,
  opts: { workspaceId: string; onProgress?: (fraction: number) => void },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('x-workspace-id', opts.workspaceId);
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) opts.onProgress?.(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'The server could not be reached.'));
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        parsed = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(parsed as T);
      const err = (parsed as { error?: Record<string, unknown> } | null)?.error;
      const error = new ApiError(
        xhr.status,
        typeof err?.code === 'string' ? err.code : 'http_error',
        typeof err?.message === 'string' ? err.message : `HTTP ${xhr.status}`,
        (err?.details as Record<string, unknown> | undefined) ?? {},
        typeof err?.errorId === 'string' ? err.errorId : null,
      );
      for (const l of listeners) l(error, opts.workspaceId);
      reject(error);
    };
    const form = new FormData();
    form.set('file', file, file.name);
    xhr.send(form);
  });
}
