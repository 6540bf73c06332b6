import { DomainError } from '../shared/domain-error.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { actorAuditEntry, authorize, type Actor } from './actor.ts';
import type { Role } from './roles.ts';
import type { WorkspaceStore } from './workspace-store.ts';

type Deps = { workspaces: WorkspaceStore; identity: IdentityStore; audit: AuditStore; now: Date };

function memberNotFound(): DomainError {
  return new DomainError('not_found', 'Member not found.');
}

export async function listMembers(deps: Pick<Deps, 'workspaces'>, actor: Actor) {
  authorize(actor, 'members.read');
  return deps.workspaces.listMembers(actor.workspaceId);
}

export async function changeMemberRole(
  deps: Deps,
  actor: Actor,
  input: { userId: string; role: Role; ip: string | null },
) {
  authorize(actor, 'members.manage');
  const member = await deps.workspaces.getMember(actor.workspaceId, input.userId);
  if (!member) throw memberNotFound();
  if (member.role === input.role) return member;
  if (member.role === 'owner' || input.role === 'owner') authorize(actor, 'members.manage_owners');
  if (member.role === 'owner' && (await deps.workspaces.countOwners(actor.workspaceId)) <= 1) {
    throw new DomainError('last_owner', 'A workspace must keep at least one owner.');
  }
  await deps.workspaces.updateMemberRole(actor.workspaceId, input.userId, input.role);
  await deps.audit.append(
    actorAuditEntry(actor, 'member.role_changed', { type: 'user', id: input.userId }, input.ip, {
      from: member.role,
      to: input.role,
    }),
  );
  return { ...member, role: input.role };
}

/** Removes a member and ends all of their sessions. */
export async function removeMember(deps: Deps, actor: Actor, input: { userId: string; ip: string | null }) {
  authorize(actor, 'members.manage');
  const member = await deps.workspaces.getMember(actor.workspaceId, input.userId);
  if (!member) throw memberNotFound();
  if (member.role === 'owner') {
    authorize(actor, 'members.manage_owners');
    if ((await deps.workspaces.countOwners(actor.workspaceId)) <= 1) {
      throw new DomainError('last_owner', 'A workspace must keep at least one owner.');
    }
  }
  await deps.workspaces.deleteMember(actor.workspaceId, input.userId);
  await deps.identity.revokeUserSessions(input.userId, 'removed_from_workspace', deps.now);
  await deps.audit.append(
    actorAuditEntry(actor, 'member.removed', { type: 'user', id: input.userId }, input.ip, {
      role: member.role,
    }),
  );
}
