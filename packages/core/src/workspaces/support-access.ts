import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import { actorAuditEntry, authorize, type Actor } from './actor.ts';
import type { WorkspaceStore } from './workspace-store.ts';

type Deps = { workspaces: WorkspaceStore; audit: AuditStore; now: Date };

export const MAX_SUPPORT_HOURS = 72;

/** The owner lets the platform operator into the workspace for a limited time (agent or admin rights). */
export async function grantSupportAccess(
  deps: Deps,
  actor: Actor,
  input: { hours: number; role: 'agent' | 'admin'; reason: string; ip: string | null },
) {
  authorize(actor, 'support_access.manage');
  if (actor.kind !== 'user' || actor.supportGrantId) {
    throw new DomainError('forbidden', 'Only a workspace owner can grant support access.');
  }
  if (!(input.hours > 0 && input.hours <= MAX_SUPPORT_HOURS)) {
    throw new DomainError(
      'validation_failed',
      `Support access lasts between 1 and ${MAX_SUPPORT_HOURS} hours.`,
    );
  }
  const grant = {
    id: newId(),
    workspaceId: actor.workspaceId,
    role: input.role,
    reason: input.reason.trim(),
    grantedBy: actor.userId,
    expiresAt: new Date(deps.now.getTime() + input.hours * 3600_000),
  };
  await deps.workspaces.insertSupportGrant(grant);
  await deps.audit.append(
    actorAuditEntry(actor, 'support_access.granted', { type: 'support_grant', id: grant.id }, input.ip, {
      role: input.role,
      hours: input.hours,
    }),
  );
  return { ...grant, revokedAt: null, createdAt: deps.now };
}

export async function listSupportGrants(deps: Pick<Deps, 'workspaces'>, actor: Actor) {
  authorize(actor, 'support_access.manage');
  return deps.workspaces.listSupportGrants(actor.workspaceId);
}

export async function revokeSupportGrant(
  deps: Deps,
  actor: Actor,
  input: { grantId: string; ip: string | null },
) {
  authorize(actor, 'support_access.manage');
  const grant = await deps.workspaces.getSupportGrant(input.grantId);
  if (!grant || grant.revokedAt) throw new DomainError('not_found', 'Support grant not found.');
  await deps.workspaces.revokeSupportGrant(grant.id, deps.now);
  await deps.audit.append(
    actorAuditEntry(actor, 'support_access.revoked', { type: 'support_grant', id: grant.id }, input.ip),
  );
}
