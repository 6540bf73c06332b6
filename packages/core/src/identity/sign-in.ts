import { DomainError } from '../shared/domain-error.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import type { Keyring, DataKeyStore } from '../privacy/keyring.ts';
import { verifyPassword, verifyPasswordAgainstDummy } from './password-hasher.ts';
import { normalizeRecoveryCode, hashRecoveryCode } from './recovery-codes.ts';
import { verifyTotp } from './totp.ts';
import { authenticateSession, startSession, type ClientInfo, type SessionDeps } from './sessions.ts';
import type { UserRecord } from './identity-store.ts';

export const TOTP_SECRET_CONTEXT = 'users.totp_secret';

export type SignInResult =
  | { status: 'signed_in'; userId: string; sessionId: string; token: string }
  | { status: 'two_factor_required'; userId: string; token: string };

function invalidCredentials(email: string): DomainError {
  return new DomainError('invalid_credentials', 'The email or password is incorrect.', {
    audit: { action: 'auth.sign_in', actorType: 'anonymous', metadata: { email } },
  });
}

/** First factor. A user with 2FA gets a short-lived pending session that only the second step accepts. */
export async function signInWithPassword(
  deps: SessionDeps & { audit: AuditStore },
  input: { email: string; password: string; client: ClientInfo },
): Promise<SignInResult> {
  const user = await deps.identity.findUserByEmail(input.email.trim());
  if (!user) {
    await verifyPasswordAgainstDummy(input.password); // same time whether or not the account exists
    throw invalidCredentials(input.email);
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    const err = invalidCredentials(input.email);
    err.details!.audit = {
      action: 'auth.sign_in',
      actorType: 'user',
      actorId: user.id,
      targetType: 'user',
      targetId: user.id,
      metadata: {},
    };
    throw err;
  }
  if (user.totpEnabledAt && user.totpSecret) {
    const pending = await startSession(deps, user.id, input.client, { mfaPending: true });
    return { status: 'two_factor_required', userId: user.id, token: pending.token };
  }
  const session = await startSession(deps, user.id, input.client, { mfaPending: false });
  await deps.audit.append(signInAudit(user, input.client, { method: 'password' }));
  return { status: 'signed_in', userId: user.id, sessionId: session.sessionId, token: session.token };
}

/** Second factor: a TOTP code or a one-time recovery code. The pending session is replaced by a new one. */
export async function completeTwoFactorSignIn(
  deps: SessionDeps & { audit: AuditStore; keyring: Keyring; platformKeys: DataKeyStore },
  input: { pendingToken: string; code?: string; recoveryCode?: string; client: ClientInfo },
): Promise<{ userId: string; sessionId: string; token: string; recoveryCodesLeft: number | null }> {
  const { session, user } = await authenticateSession(deps, input.pendingToken, { allowMfaPending: true });
  if (!session.mfaPending || !user.totpSecret) {
    throw new DomainError('two_factor_not_pending', 'There is no sign-in waiting for a second factor.');
  }
  let method: 'totp' | 'recovery_code';
  let recoveryCodesLeft: number | null = null;
  if (input.code) {
    const ok = await checkTotp(deps, user, input.code);
    if (!ok) throw invalidSecondFactor(user.id);
    method = 'totp';
  } else if (input.recoveryCode) {
    const used = await deps.identity.consumeRecoveryCode(
      user.id,
      hashRecoveryCode(normalizeRecoveryCode(input.recoveryCode)),
      deps.now,
    );
    if (!used) throw invalidSecondFactor(user.id);
    method = 'recovery_code';
    recoveryCodesLeft = await deps.identity.countUnusedRecoveryCodes(user.id);
  } else {
    throw new DomainError('validation_failed', 'Send either a code or a recoveryCode.');
  }
  await deps.identity.revokeSession(session.id, 'rotated', deps.now);
  const full = await startSession(deps, user.id, input.client, { mfaPending: false });
  await deps.audit.append(signInAudit(user, input.client, { method }));
  return { userId: user.id, sessionId: full.sessionId, token: full.token, recoveryCodesLeft };
}

/** Verifies a TOTP code for the user and records its time step so it cannot be replayed. */
export async function checkTotp(
  deps: { identity: SessionDeps['identity']; keyring: Keyring; platformKeys: DataKeyStore; now: Date },
  user: UserRecord,
  code: string,
): Promise<boolean> {
  if (!user.totpSecret) return false;
  const secret = await deps.keyring.decryptString(
    deps.platformKeys,
    null,
    user.totpSecret,
    TOTP_SECRET_CONTEXT,
  );
  // The app clock, not the wall clock: codes are judged at the same "now" as sessions and limits.
  const result = await verifyTotp(secret, code, {
    lastUsedStep: user.totpLastStep ?? undefined,
    now: deps.now,
  });
  if (!result.ok) return false;
  await deps.identity.updateUser(user.id, { totpLastStep: result.step });
  return true;
}

function invalidSecondFactor(userId: string): DomainError {
  return new DomainError(
    'invalid_two_factor_code',
    'That code is not valid. Try the current code from your app.',
    {
      audit: {
        action: 'auth.two_factor',
        actorType: 'user',
        actorId: userId,
        targetType: 'user',
        targetId: userId,
        metadata: {},
      },
    },
  );
}

function signInAudit(user: UserRecord, client: ClientInfo, metadata: Record<string, unknown>) {
  return {
    workspaceId: null,
    actorType: 'user' as const,
    actorId: user.id,
    action: 'auth.sign_in',
    targetType: 'user',
    targetId: user.id,
    outcome: 'success' as const,
    ip: client.ip,
    metadata,
  };
}
