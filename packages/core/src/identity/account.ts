import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import { randomToken, sha256Hex } from '../shared/secrets.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import type { DataKeyStore, Keyring } from '../privacy/keyring.ts';
import { hashPassword, validatePasswordPolicy, verifyPassword } from './password-hasher.ts';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.ts';
import { generateTotpSecret, totpUri } from './totp.ts';
import { checkTotp, TOTP_SECRET_CONTEXT } from './sign-in.ts';
import { startSession, type ClientInfo, type SessionDeps } from './sessions.ts';
import type { UserRecord } from './identity-store.ts';

type AccountDeps = SessionDeps & { audit: AuditStore };
type SecretDeps = AccountDeps & { keyring: Keyring; platformKeys: DataKeyStore };

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!EMAIL_PATTERN.test(e) || e.length > 254)
    throw new DomainError('invalid_email', 'Enter a valid email address.');
  return e;
}

async function requireUser(deps: SessionDeps, userId: string): Promise<UserRecord> {
  const user = await deps.identity.findUserById(userId);
  if (!user) throw new DomainError('not_found', 'User not found.');
  return user;
}

function accountAudit(
  user: UserRecord,
  action: string,
  client: ClientInfo,
  metadata: Record<string, unknown> = {},
) {
  return {
    workspaceId: null,
    actorType: 'user' as const,
    actorId: user.id,
    action,
    targetType: 'user',
    targetId: user.id,
    outcome: 'success' as const,
    ip: client.ip,
    metadata,
  };
}

/** Audit hint of a failed change to the user's own account: they are both actor and target. */
function userTarget(user: UserRecord) {
  return { actorType: 'user', actorId: user.id, targetType: 'user', targetId: user.id } as const;
}

/** Ends every session of the user and starts a fresh one for the device that made the change. */
async function revokeAllAndRestart(deps: AccountDeps, user: UserRecord, reason: string, client: ClientInfo) {
  await deps.identity.revokeUserSessions(user.id, reason, deps.now);
  return startSession(deps, user.id, client, { mfaPending: false });
}

export async function changePassword(
  deps: AccountDeps,
  input: { userId: string; currentPassword: string; newPassword: string; client: ClientInfo },
) {
  const user = await requireUser(deps, input.userId);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new DomainError('invalid_credentials', 'The current password is incorrect.', {
      audit: { action: 'auth.password_change', ...userTarget(user), metadata: {} },
    });
  }
  validatePasswordPolicy(input.newPassword);
  await deps.identity.updateUser(user.id, {
    passwordHash: await hashPassword(input.newPassword),
    passwordChangedAt: deps.now,
  });
  await deps.audit.append(accountAudit(user, 'auth.password_changed', input.client));
  return revokeAllAndRestart(deps, user, 'password_changed', input.client);
}

/** Creates a reset token for the account, or null when there is no such account (the caller answers the same either way). */
export async function requestPasswordReset(
  deps: AccountDeps,
  input: { email: string; client: ClientInfo },
): Promise<{ token: string; userId: string } | null> {
  const user = await deps.identity.findUserByEmail(input.email.trim());
  if (!user) return null;
  const token = randomToken(32);
  await deps.identity.insertPasswordReset({
    id: newId(),
    userId: user.id,
    tokenHash: sha256Hex(`reset:${token}`),
    expiresAt: new Date(deps.now.getTime() + deps.policy.passwordResetMs),
  });
  await deps.audit.append(accountAudit(user, 'auth.password_reset_requested', input.client));
  return { token, userId: user.id };
}

export async function confirmPasswordReset(
  deps: AccountDeps,
  input: { token: string; newPassword: string; client: ClientInfo },
): Promise<void> {
  validatePasswordPolicy(input.newPassword);
  const reset = await deps.identity.consumePasswordReset(sha256Hex(`reset:${input.token}`), deps.now);
  if (!reset) {
    throw new DomainError('invalid_token', 'This reset link is invalid or has expired. Ask for a new one.', {
      audit: { action: 'auth.password_reset', actorType: 'anonymous', metadata: {} },
    });
  }
  const user = await requireUser(deps, reset.userId);
  await deps.identity.updateUser(user.id, {
    passwordHash: await hashPassword(input.newPassword),
    passwordChangedAt: deps.now,
  });
  await deps.identity.revokeUserSessions(user.id, 'password_reset', deps.now);
  await deps.audit.append(accountAudit(user, 'auth.password_reset', input.client));
}

/** Step 1 of enrolment: a new secret, kept pending (encrypted) until a code from it is confirmed. */
export async function beginTotpEnrollment(deps: SecretDeps, input: { userId: string; issuer: string }) {
  const user = await requireUser(deps, input.userId);
  if (user.totpEnabledAt) {
    throw new DomainError(
      'two_factor_already_enabled',
      'Two-factor authentication is already on. Turn it off first.',
    );
  }
  const secret = generateTotpSecret();
  await deps.identity.updateUser(user.id, {
    totpPendingSecret: await deps.keyring.encrypt(deps.platformKeys, null, secret, TOTP_SECRET_CONTEXT),
  });
  return { secret, otpauthUri: totpUri({ secret, accountName: user.email, issuer: input.issuer }) };
}

/** Step 2: a correct code turns 2FA on, issues recovery codes and ends every other session. */
export async function confirmTotpEnrollment(
  deps: SecretDeps,
  input: { userId: string; code: string; client: ClientInfo },
) {
  const user = await requireUser(deps, input.userId);
  if (!user.totpPendingSecret) {
    throw new DomainError('two_factor_not_started', 'Start two-factor setup first.');
  }
  const candidate = { ...user, totpSecret: user.totpPendingSecret, totpLastStep: null };
  if (!(await checkTotp(deps, candidate, input.code))) {
    throw new DomainError(
      'invalid_two_factor_code',
      'That code is not valid. Try the current code from your app.',
      {
        audit: { action: 'auth.two_factor_enable', ...userTarget(user), metadata: {} },
      },
    );
  }
  await deps.identity.updateUser(user.id, {
    totpSecret: user.totpPendingSecret,
    totpPendingSecret: null,
    totpEnabledAt: deps.now,
  });
  const recoveryCodes = generateRecoveryCodes(10);
  await deps.identity.replaceRecoveryCodes(user.id, recoveryCodes.map(hashRecoveryCode));
  await deps.audit.append(accountAudit(user, 'auth.two_factor_enabled', input.client));
  const session = await revokeAllAndRestart(deps, user, 'two_factor_changed', input.client);
  return { recoveryCodes, session };
}

export async function disableTotp(
  deps: SecretDeps,
  input: { userId: string; password: string; code: string; client: ClientInfo },
) {
  const user = await requireUser(deps, input.userId);
  if (!user.totpEnabledAt)
    throw new DomainError('two_factor_not_enabled', 'Two-factor authentication is off.');
  const passwordOk = await verifyPassword(user.passwordHash, input.password);
  if (!passwordOk || !(await checkTotp(deps, user, input.code))) {
    throw new DomainError('invalid_credentials', 'The password or code is incorrect.', {
      audit: { action: 'auth.two_factor_disable', ...userTarget(user), metadata: {} },
    });
  }
  await deps.identity.updateUser(user.id, {
    totpSecret: null,
    totpPendingSecret: null,
    totpEnabledAt: null,
    totpLastStep: null,
  });
  await deps.identity.replaceRecoveryCodes(user.id, []);
  await deps.audit.append(accountAudit(user, 'auth.two_factor_disabled', input.client));
  return revokeAllAndRestart(deps, user, 'two_factor_changed', input.client);
}

export async function regenerateRecoveryCodes(
  deps: SecretDeps,
  input: { userId: string; code: string; client: ClientInfo },
): Promise<string[]> {
  const user = await requireUser(deps, input.userId);
  if (!user.totpEnabledAt || !(await checkTotp(deps, user, input.code))) {
    throw new DomainError(
      'invalid_two_factor_code',
      'That code is not valid. Try the current code from your app.',
    );
  }
  const codes = generateRecoveryCodes(10);
  await deps.identity.replaceRecoveryCodes(user.id, codes.map(hashRecoveryCode));
  await deps.audit.append(accountAudit(user, 'auth.recovery_codes_regenerated', input.client));
  return codes;
}
