import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import type { AuthPolicy } from './auth-policy.ts';
import type { IdentityStore, SessionRecord, UserRecord } from './identity-store.ts';
import { hashSessionToken, newSessionToken } from './session-token.ts';

export interface SessionDeps {
  identity: IdentityStore;
  policy: AuthPolicy;
  now: Date;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** Starts a session (a new id and token every time: sessions rotate at every sign-in step). */
export async function startSession(
  deps: SessionDeps,
  userId: string,
  client: ClientInfo,
  opts: { mfaPending: boolean },
): Promise<{ sessionId: string; token: string }> {
  const { token, tokenHash } = newSessionToken();
  const id = newId();
  const lifetime = opts.mfaPending ? deps.policy.mfaPendingMs : deps.policy.sessionAbsoluteMs;
  await deps.identity.insertSession({
    id,
    userId,
    tokenHash,
    mfaPending: opts.mfaPending,
    createdAt: deps.now,
    expiresAt: new Date(deps.now.getTime() + lifetime),
    ip: client.ip,
    userAgent: client.userAgent ? client.userAgent.slice(0, 300) : null,
  });
  return { sessionId: id, token };
}

export function sessionIsLive(session: SessionRecord, policy: AuthPolicy, now: Date): boolean {
  if (session.revokedAt) return false;
  if (session.expiresAt.getTime() <= now.getTime()) return false;
  if (now.getTime() - session.lastSeenAt.getTime() > policy.sessionIdleMs) return false;
  return true;
}

/**
 * Resolves a session token to its live session and user. `allowMfaPending` is for the one
 * route that completes the second factor.
 */
export async function authenticateSession(
  deps: SessionDeps,
  token: string,
  opts: { allowMfaPending?: boolean } = {},
): Promise<{ session: SessionRecord; user: UserRecord }> {
  const session = await deps.identity.findSessionByTokenHash(hashSessionToken(token));
  if (!session || !sessionIsLive(session, deps.policy, deps.now)) {
    throw new DomainError('session_expired', 'Your session has ended. Please sign in again.');
  }
  if (session.mfaPending && !opts.allowMfaPending) {
    throw new DomainError('two_factor_pending', 'Enter your two-factor code to finish signing in.');
  }
  const user = await deps.identity.findUserById(session.userId);
  if (!user) throw new DomainError('session_expired', 'Your session has ended. Please sign in again.');
  // Write at most once a minute, not on every request.
  if (deps.now.getTime() - session.lastSeenAt.getTime() > 60_000) {
    await deps.identity.touchSession(session.id, deps.now);
  }
  return { session, user };
}
