import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { normalizeEmail } from '../identity/account.ts';
import { hashPassword, validatePasswordPolicy } from '../identity/password-hasher.ts';
import type { AuthPolicy } from '../identity/auth-policy.ts';
import { actorAuditEntry, authorize, type Actor } from './actor.ts';
import type { Role } from './roles.ts';
import { hashWorkspaceToken, newWorkspaceToken } from './tokens.ts';
import type { InvitationRecord, WorkspaceStore } from './workspace-store.ts';

type Deps = {
  workspaces: WorkspaceStore;
  identity: IdentityStore;
  audit: AuditStore;
  now: Date;
  policy: AuthPolicy;
};

export async function inviteMember(
  deps: Deps,
  actor: Actor,
  input: { email: string; role: Role; ip: string | null },
) {
  authorize(actor, 'members.manage');
  if (input.role === 'owner') authorize(actor, 'members.manage_owners');
  const email = normalizeEmail(input.email);
  const existing = await deps.identity.findUserByEmail(email);
  if (existing && (await deps.workspaces.getMember(actor.workspaceId, existing.id))) {
    throw new DomainError('already_member', 'This person is already a member of the workspace.');
  }
  const { token, tokenHash } = newWorkspaceToken('inv', actor.workspaceId);
  const invitation = {
    id: newId(),
    workspaceId: actor.workspaceId,
    email,
    role: input.role,
    tokenHash,
    invitedBy: actor.kind === 'user' ? actor.userId : null,
    expiresAt: new Date(deps.now.getTime() + deps.policy.invitationMs),
  };
  await deps.workspaces.insertInvitation(invitation);
  await deps.audit.append(
    actorAuditEntry(actor, 'member.invited', { type: 'invitation', id: invitation.id }, input.ip, {
      role: input.role,
    }),
  );
  return { invitation, token };
}

export async function listInvitations(deps: Pick<Deps, 'workspaces' | 'now'>, actor: Actor) {
  authorize(actor, 'members.manage');
  return deps.workspaces.listPendingInvitations(actor.workspaceId, deps.now);
}

export async function revokeInvitation(
  deps: Deps,
  actor: Actor,
  input: { invitationId: string; ip: string | null },
) {
  authorize(actor, 'members.manage');
  const inv = await deps.workspaces.getInvitation(input.invitationId);
  if (!inv || inv.revokedAt || inv.acceptedAt) throw new DomainError('not_found', 'Invitation not found.');
  await deps.workspaces.revokeInvitation(inv.id, deps.now);
  await deps.audit.append(
    actorAuditEntry(actor, 'member.invitation_revoked', { type: 'invitation', id: inv.id }, input.ip),
  );
}

/** A live invitation for the token (runs in the token's workspace scope), or `invalid_token`. */
export async function findLiveInvitation(
  deps: Pick<Deps, 'workspaces' | 'now'>,
  token: string,
): Promise<InvitationRecord> {
  const inv = await deps.workspaces.findInvitationByTokenHash(hashWorkspaceToken(token));
  if (!inv || inv.acceptedAt || inv.revokedAt || inv.expiresAt.getTime() <= deps.now.getTime()) {
    throw new DomainError('invalid_token', 'This invitation is invalid, used or expired. Ask for a new one.');
  }
  return inv;
}

/** What an invitation is for, shown before accepting it (runs in the token's workspace scope). */
export async function previewInvitation(deps: Pick<Deps, 'workspaces' | 'identity' | 'now'>, token: string) {
  const inv = await findLiveInvitation(deps, token);
  const ws = await deps.workspaces.getWorkspace(inv.workspaceId);
  return {
    workspaceName: ws?.name ?? '',
    email: inv.email,
    role: inv.role,
    accountExists: (await deps.identity.findUserByEmail(inv.email)) !== null,
  };
}

/**
 * Accepts an invitation. A person without an account creates one (name + password); a person
 * with an account must be signed in as the invited email.
 */
export async function acceptInvitation(
  deps: Deps,
  input: {
    token: string;
    signedInUserId: string | null;
    newUserId: string;
    name?: string;
    password?: string;
    ip: string | null;
  },
): Promise<{ userId: string; workspaceId: string; createdAccount: boolean }> {
  const inv = await findLiveInvitation(deps, input.token);
  const existing = await deps.identity.findUserByEmail(inv.email);
  let userId: string;
  let createdAccount = false;
  if (existing) {
    if (input.signedInUserId !== existing.id) {
      throw new DomainError('sign_in_required', `Sign in as ${inv.email} to accept this invitation.`);
    }
    userId = existing.id;
  } else {
    if (!input.password)
      throw new DomainError('validation_failed', 'Choose a password to create your account.');
    validatePasswordPolicy(input.password);
    userId = input.newUserId;
    await deps.identity.insertUser({
      id: userId,
      email: inv.email,
      name: input.name?.trim() || inv.email,
      passwordHash: await hashPassword(input.password),
      isOperator: false,
    });
    createdAccount = true;
  }
  if (!(await deps.workspaces.getMember(inv.workspaceId, userId))) {
    await deps.workspaces.insertMembership({ workspaceId: inv.workspaceId, userId, role: inv.role });
  }
  await deps.workspaces.markInvitationAccepted(inv.id, deps.now);
  await deps.audit.append({
    workspaceId: inv.workspaceId,
    actorType: 'user',
    actorId: userId,
    action: 'member.joined',
    targetType: 'invitation',
    targetId: inv.id,
    outcome: 'success',
    ip: input.ip,
    metadata: { role: inv.role, createdAccount },
  });
  return { userId, workspaceId: inv.workspaceId, createdAccount };
}
