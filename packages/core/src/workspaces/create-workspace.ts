import { DomainError } from '../shared/domain-error.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import type { DataKeyStore, Keyring } from '../privacy/keyring.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { hashPassword, validatePasswordPolicy } from '../identity/password-hasher.ts';
import { normalizeEmail } from '../identity/account.ts';
import type { Plan, WorkspaceStore } from './workspace-store.ts';

export type SignupMode = 'first-user' | 'open' | 'closed';

/**
 * A new workspace with its data key. Runs in the new workspace's scope, so the caller chooses
 * the id up front.
 */
export async function createWorkspace(
  deps: { workspaces: WorkspaceStore; keyring: Keyring; dataKeys: DataKeyStore },
  input: { workspaceId: string; name: string; plan: Plan },
): Promise<void> {
  const name = input.name.trim();
  if (!name) throw new DomainError('validation_failed', 'The workspace needs a name.');
  await deps.workspaces.insertWorkspace({ id: input.workspaceId, name, plan: input.plan });
  await deps.keyring.ensureDataKey(deps.dataKeys, input.workspaceId);
}

/**
 * Self-service sign-up of a workspace owner. The very first user of an install also becomes its
 * platform operator. Allowed by `signupMode`: first-user (only while the install has no user),
 * open, or closed.
 */
export async function signUpOwner(
  deps: {
    identity: IdentityStore;
    workspaces: WorkspaceStore;
    audit: AuditStore;
    keyring: Keyring;
    dataKeys: DataKeyStore;
    signupMode: SignupMode;
  },
  input: {
    userId: string;
    workspaceId: string;
    email: string;
    password: string;
    name: string;
    workspaceName: string;
    ip: string | null;
  },
): Promise<void> {
  const userCount = await deps.identity.countUsers();
  const allowed = deps.signupMode === 'open' || (deps.signupMode === 'first-user' && userCount === 0);
  if (!allowed)
    throw new DomainError('signup_closed', 'Sign-up is closed on this server. Ask for an invitation.');
  const email = normalizeEmail(input.email);
  validatePasswordPolicy(input.password);
  if (await deps.identity.findUserByEmail(email)) {
    throw new DomainError('email_taken', 'An account with this email already exists. Sign in instead.');
  }
  await deps.identity.insertUser({
    id: input.userId,
    email,
    name: input.name.trim() || email,
    passwordHash: await hashPassword(input.password),
    isOperator: userCount === 0,
  });
  await createWorkspace(deps, { workspaceId: input.workspaceId, name: input.workspaceName, plan: 'free' });
  await deps.workspaces.insertMembership({
    workspaceId: input.workspaceId,
    userId: input.userId,
    role: 'owner',
  });
  await deps.audit.append({
    workspaceId: input.workspaceId,
    actorType: 'user',
    actorId: input.userId,
    action: 'workspace.created',
    targetType: 'workspace',
    targetId: input.workspaceId,
    outcome: 'success',
    ip: input.ip,
    metadata: { via: 'signup', operator: userCount === 0 },
  });
}
