import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import {
  authenticateApiKey,
  authenticateSession,
  csrfTokenFor,
  DomainError,
  isDomainError,
  isUuid,
  resolveUserActor,
  safeEqual,
  workspaceOfToken,
  type Actor,
  type NewAuditEntry,
  type SessionRecord,
  type UserRecord,
  type WorkspaceRecord,
} from '@parley/core';
import { auditRepository, setScope, type Tx } from '@parley/db';
import { storesFor, type AppContext, type Stores } from '../app-context.ts';

export const SESSION_COOKIE = 'parley_session';
export const WORKSPACE_HEADER = 'x-workspace-id';
export const CSRF_HEADER = 'x-csrf-token';

/** How a route authenticates; declared on every route and read by the cross-tenant test. */
export type RouteAuth = 'public' | 'pending' | 'user' | 'workspace' | 'operator';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function sessionToken(req: FastifyRequest): string | null {
  const token = req.cookies[SESSION_COOKIE];
  return token && token.length < 200 ? token : null;
}

function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m?.[1]) throw new DomainError('invalid_api_key', 'Send the API key as "Authorization: Bearer <key>".');
  return m[1];
}

/** Cookie-authenticated state changes must carry the session's CSRF token. */
function checkCsrf(req: FastifyRequest, token: string): void {
  if (!UNSAFE_METHODS.has(req.method)) return;
  const sent = req.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(token))) {
    throw new DomainError('csrf_failed', 'Missing or invalid CSRF token. Reload the page and try again.');
  }
}

function unauthenticated(): DomainError {
  return new DomainError('unauthenticated', 'Sign in first, or send an API key.');
}

/**
 * The workspace the request names: the `X-Workspace-Id` header, or `fromQuery` (a route's validated
 * `workspaceId` query parameter, for clients that cannot send headers, such as EventSource). Both
 * may be sent only if they agree.
 */
function requestedWorkspace(req: FastifyRequest, fromQuery?: string): string | null {
  const h = req.headers[WORKSPACE_HEADER];
  const query = fromQuery?.toLowerCase() ?? null;
  if (h === undefined) return query;
  if (typeof h !== 'string' || !isUuid(h)) {
    throw new DomainError(
      'invalid_workspace_header',
      `The ${WORKSPACE_HEADER} header must be a workspace id.`,
    );
  }
  if (query && query !== h.toLowerCase()) {
    throw new DomainError(
      'invalid_workspace_header',
      `The ${WORKSPACE_HEADER} header and the workspaceId parameter name different workspaces.`,
    );
  }
  return h.toLowerCase();
}

export interface UserContext {
  tx: Tx;
  stores: Stores;
  user: UserRecord;
  session: SessionRecord;
  token: string;
}

/** Runs fn in one transaction for a signed-in user, outside any workspace. */
export async function withUser<T>(
  ctx: AppContext,
  req: FastifyRequest,
  fn: (u: UserContext) => Promise<T>,
  opts: { allowMfaPending?: boolean; operator?: boolean } = {},
): Promise<T> {
  const token = sessionToken(req);
  if (!token) throw unauthenticated();
  checkCsrf(req, token);
  return ctx.db.run({}, async (tx) => {
    const stores = storesFor(ctx, tx);
    const { session, user } = await authenticateSession(stores, token, opts);
    // A user may list their own memberships across workspaces; an operator sees the workspaces table.
    await setScope(tx, { userId: user.id, operator: opts.operator === true && user.isOperator });
    return fn({ tx, stores, user, session, token });
  });
}

export interface WorkspaceContext {
  tx: Tx;
  stores: Stores;
  actor: Actor;
  workspace: WorkspaceRecord;
}

/**
 * Runs fn in one transaction scoped (by RLS) to the workspace the caller acts in: the API key's
 * workspace, or for a session the `X-Workspace-Id` header (default: the user's first workspace).
 * `opts.workspaceId` is a route's `workspaceId` query parameter, checked exactly like the header.
 */
export async function withWorkspace<T>(
  ctx: AppContext,
  req: FastifyRequest,
  fn: (w: WorkspaceContext) => Promise<T>,
  opts: { workspaceId?: string } = {},
): Promise<T> {
  const header = requestedWorkspace(req, opts.workspaceId);
  const apiKey = bearerToken(req);
  if (apiKey) {
    const workspaceId = workspaceOfToken('prk', apiKey, 'invalid_api_key');
    if (header && header !== workspaceId) throw new DomainError('not_found', 'Workspace not found.');
    return ctx.db.run({ workspaceId }, async (tx) => {
      const stores = storesFor(ctx, tx);
      const actor = await authenticateApiKey(stores, apiKey);
      const workspace = await stores.workspaces.getWorkspace(workspaceId);
      if (!workspace) throw new DomainError('invalid_api_key', 'The API key is not valid.');
      if (workspace.status === 'suspended') {
        throw new DomainError('workspace_suspended', 'This workspace is suspended. Contact your provider.');
      }
      return fn({ tx, stores, actor, workspace });
    });
  }
  const token = sessionToken(req);
  if (!token) throw unauthenticated();
  checkCsrf(req, token);
  let workspaceId = header;
  if (!workspaceId) {
    workspaceId = await withUser(ctx, req, async ({ stores, user }) => {
      const [first] = await stores.workspaces.listMembershipsOfUser(user.id);
      if (!first) throw new DomainError('not_found', 'You are not a member of any workspace.');
      return first.workspaceId;
    });
  }
  const scopeWorkspace = workspaceId;
  const used: { supportUse: NewAuditEntry | null } = { supportUse: null };
  try {
    return await ctx.db.run({ workspaceId: scopeWorkspace }, async (tx) => {
      const stores = storesFor(ctx, tx);
      const { session, user } = await authenticateSession(stores, token);
      const { actor, workspace, supportUse } = await resolveUserActor(stores, {
        user,
        sessionId: session.id,
        workspaceId: scopeWorkspace,
        request: { method: req.method, path: req.routeOptions.url ?? req.url, ip: req.ip },
      });
      used.supportUse = supportUse;
      return fn({ tx, stores, actor, workspace });
    });
  } catch (err) {
    // The rolled-back transaction took its support_access.used entry with it: a refused or failed
    // request through a support grant is still a use, so it is recorded again on its own.
    if (used.supportUse) await recordFailedSupportUse(ctx, req, used.supportUse, err);
    throw err;
  }
}

async function recordFailedSupportUse(
  ctx: AppContext,
  req: FastifyRequest,
  entry: NewAuditEntry,
  err: unknown,
): Promise<void> {
  const code = isDomainError(err) ? err.code : 'internal_error';
  try {
    await ctx.db.run({ workspaceId: entry.workspaceId }, (tx) =>
      auditRepository(tx).append({
        ...entry,
        outcome: code === 'forbidden' ? 'denied' : 'failure',
        metadata: { ...entry.metadata, code },
      }),
    );
  } catch (e) {
    req.log.error({ err: e }, 'could not write audit entry for a support access use');
  }
}

export function setSessionCookie(
  ctx: AppContext,
  reply: FastifyReply,
  token: string,
  maxAgeMs: number,
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.session.secureCookie,
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(ctx: AppContext, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.session.secureCookie,
  });
}

export function clientInfo(req: FastifyRequest) {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null };
}
