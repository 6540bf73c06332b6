import { DomainError } from '../shared/domain-error.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import { actorAuditEntry, authorize, type Actor } from './actor.ts';
import type { WorkspaceRecord, WorkspaceStore } from './workspace-store.ts';

export function getWorkspaceSettings(actor: Actor, workspace: WorkspaceRecord): WorkspaceRecord {
  authorize(actor, 'workspace.read');
  return workspace;
}

/** Renames the workspace or turns the 2FA requirement for its members on or off. */
export async function updateWorkspaceSettings(
  deps: { workspaces: WorkspaceStore; audit: AuditStore },
  actor: Actor,
  workspace: WorkspaceRecord,
  input: { name?: string; require2fa?: boolean; ip: string | null },
): Promise<WorkspaceRecord> {
  authorize(actor, 'workspace.update');
  const name = input.name?.trim();
  if (name === '') throw new DomainError('validation_failed', 'The workspace needs a name.');
  const patch = {
    ...(name !== undefined ? { name } : {}),
    ...(input.require2fa !== undefined ? { require2fa: input.require2fa } : {}),
  };
  await deps.workspaces.updateWorkspace(workspace.id, patch);
  await deps.audit.append(
    actorAuditEntry(actor, 'workspace.updated', { type: 'workspace', id: workspace.id }, input.ip, patch),
  );
  return { ...workspace, ...patch };
}
