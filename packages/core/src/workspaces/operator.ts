import { DomainError } from '../shared/domain-error.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import type { DataKeyStore, Keyring } from '../privacy/keyring.ts';
import type { IdentityStore, UserRecord } from '../identity/identity-store.ts';
import type { AuthPolicy } from '../identity/auth-policy.ts';
import { createWorkspace } from './create-workspace.ts';
import { newWorkspaceToken } from './tokens.ts';
import { newId } from '../shared/ids.ts';
import { normalizeEmail } from '../identity/account.ts';
import { cursorUuid, decodeCursor, encodeCursor } from '../shared/cursor.ts';
import type { Page, Plan, WorkspaceRecord, WorkspaceStatus, WorkspaceStore } from './workspace-store.ts';

/**
 * The platform operator (agency / reseller) manages workspaces and their plans. The operator
 * scope sees the workspaces table only: conversations and contacts stay behind each
 * workspace's RLS unless that workspace grants support access.
 */
export function requireOperator(user: UserRecord): void {
  if (!user.isOperator) {
    throw new DomainError('forbidden', 'This needs the platform operator role.', {
      audit: {
        action: 'authz.denied',
        actorType: 'user',
        actorId: user.id,
        metadata: { permission: 'platform.operate' },
      },
    });
  }
}

/** Every workspace on the install, newest first, a page at a time (operator scope). */
export async function operatorListWorkspaces(
  deps: { workspaces: WorkspaceStore },
  operator: UserRecord,
  page: { cursor?: string; limit: number },
): Promise<Page<WorkspaceRecord>> {
  requireOperator(operator);
  const after = page.cursor ? cursorUuid(decodeCursor(page.cursor), 'id') : null;
  const result = await deps.workspaces.listWorkspaces({ after, limit: page.limit });
  return {
    items: result.items,
    nextCursor: result.nextCursor ? encodeCursor({ id: result.nextCursor }) : null,
  };
}

type Deps = {
  workspaces: WorkspaceStore;
  identity: IdentityStore;
  audit: AuditStore;
  keyring: Keyring;
  dataKeys: DataKeyStore;
  policy: AuthPolicy;
  now: Date;
};

/** Creates a client workspace and an owner invitation for it. Runs in the new workspace's scope. */
export async function operatorCreateWorkspace(
  deps: Deps,
  operator: UserRecord,
  input: { workspaceId: string; name: string; plan: Plan; ownerEmail: string; ip: string | null },
) {
  requireOperator(operator);
  const ownerEmail = normalizeEmail(input.ownerEmail);
  await createWorkspace(deps, { workspaceId: input.workspaceId, name: input.name, plan: input.plan });
  const { token, tokenHash } = newWorkspaceToken('inv', input.workspaceId);
  const invitationId = newId();
  await deps.workspaces.insertInvitation({
    id: invitationId,
    workspaceId: input.workspaceId,
    email: ownerEmail,
    role: 'owner',
    tokenHash,
    invitedBy: operator.id,
    expiresAt: new Date(deps.now.getTime() + deps.policy.invitationMs),
  });
  await deps.audit.append({
    workspaceId: input.workspaceId,
    actorType: 'operator',
    actorId: operator.id,
    action: 'workspace.created',
    targetType: 'workspace',
    targetId: input.workspaceId,
    outcome: 'success',
    ip: input.ip,
    metadata: { via: 'operator', plan: input.plan, ownerInvitationId: invitationId },
  });
  return { invitationToken: token };
}

export async function operatorUpdateWorkspace(
  deps: Deps,
  operator: UserRecord,
  input: { workspaceId: string; plan?: Plan; status?: WorkspaceStatus; ip: string | null },
) {
  requireOperator(operator);
  const ws = await deps.workspaces.getWorkspace(input.workspaceId);
  if (!ws) throw new DomainError('not_found', 'Workspace not found.');
  const patch = {
    ...(input.plan ? { plan: input.plan } : {}),
    ...(input.status ? { status: input.status } : {}),
  };
  await deps.workspaces.updateWorkspace(ws.id, patch);
  await deps.audit.append({
    workspaceId: ws.id,
    actorType: 'operator',
    actorId: operator.id,
    action: 'workspace.plan_changed',
    targetType: 'workspace',
    targetId: ws.id,
    outcome: 'success',
    ip: input.ip,
    metadata: { from: { plan: ws.plan, status: ws.status }, to: patch },
  });
  return { ...ws, ...patch };
}
