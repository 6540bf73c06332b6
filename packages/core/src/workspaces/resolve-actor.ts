import { DomainError } from '../shared/domain-error.ts';
import type { AuditStore, NewAuditEntry } from '../privacy/audit-store.ts';
import type { UserRecord } from '../identity/identity-store.ts';
import type { Actor } from './actor.ts';
import type { WorkspaceRecord, WorkspaceStore } from './workspace-store.ts';

export function workspaceNotFound(): DomainError {
  return new DomainError('not_found', 'Workspace not found.');
}

/**
 * The user's standing in a workspace: a membership, or — for a platform operator — an active
 * support grant (every use of which is audited). Anything else is indistinguishable from a
 * workspace that does not exist. `supportUse` is the audit entry written for a support-grant use,
 * so that the caller can record it again if the request's transaction is rolled back.
 */
export async function resolveUserActor(
  deps: { workspaces: WorkspaceStore; audit: AuditStore; now: Date },
  input: {
    user: UserRecord;
    sessionId: string;
    workspaceId: string;
    request: { method: string; path: string; ip: string | null };
  },
): Promise<{ actor: Actor; workspace: WorkspaceRecord; supportUse: NewAuditEntry | null }> {
  const workspace = await deps.workspaces.getWorkspace(input.workspaceId);
  if (!workspace) throw workspaceNotFound();
  const member = await deps.workspaces.getMember(workspace.id, input.user.id);
  let actor: Actor;
  let supportUse: NewAuditEntry | null = null;
  if (member) {
    actor = {
      kind: 'user',
      userId: input.user.id,
      sessionId: input.sessionId,
      workspaceId: workspace.id,
      role: member.role,
      supportGrantId: null,
    };
  } else if (input.user.isOperator) {
    const grant = await deps.workspaces.activeSupportGrant(workspace.id, deps.now);
    if (!grant) throw workspaceNotFound();
    actor = {
      kind: 'user',
      userId: input.user.id,
      sessionId: input.sessionId,
      workspaceId: workspace.id,
      role: grant.role,
      supportGrantId: grant.id,
    };
    supportUse = {
      workspaceId: workspace.id,
      actorType: 'operator',
      actorId: input.user.id,
      action: 'support_access.used',
      targetType: 'support_grant',
      targetId: grant.id,
      outcome: 'success',
      ip: input.request.ip,
      metadata: { method: input.request.method, path: input.request.path },
    };
    await deps.audit.append(supportUse);
  } else {
    throw workspaceNotFound();
  }
  if (workspace.status === 'suspended') {
    throw new DomainError('workspace_suspended', 'This workspace is suspended. Contact your provider.');
  }
  if (workspace.require2fa && !input.user.totpEnabledAt) {
    throw new DomainError(
      'two_factor_enrollment_required',
      'This workspace requires two-factor authentication. Turn it on in your account security settings.',
    );
  }
  return { actor, workspace, supportUse };
}
