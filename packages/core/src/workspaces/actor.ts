import { DomainError } from '../shared/domain-error.ts';
import type { NewAuditEntry } from '../privacy/audit-store.ts';
import { can, type Permission, type Role } from './roles.ts';

/** Who is acting inside a workspace, resolved once per request or job. */
export type Actor =
  | {
      kind: 'user';
      userId: string;
      sessionId: string;
      workspaceId: string;
      role: Role;
      /** Set when a platform operator acts through a support grant instead of a membership. */
      supportGrantId: string | null;
    }
  | { kind: 'api_key'; apiKeyId: string; workspaceId: string; role: Role };

export function actorId(actor: Actor): string {
  return actor.kind === 'user' ? actor.userId : actor.apiKeyId;
}

export function auditActor(actor: Actor): { actorType: 'user' | 'api_key' | 'operator'; actorId: string } {
  if (actor.kind === 'api_key') return { actorType: 'api_key', actorId: actor.apiKeyId };
  return { actorType: actor.supportGrantId ? 'operator' : 'user', actorId: actor.userId };
}

/** Throws `forbidden` (recorded in the audit log as a failed authorization) unless the actor's role allows it. */
export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor.role, permission)) {
    throw new DomainError('forbidden', 'Your role does not allow this action.', {
      permission,
      audit: {
        action: 'authz.denied',
        ...auditActor(actor),
        workspaceId: actor.workspaceId,
        metadata: { permission, role: actor.role },
      },
    });
  }
}

/** The audit entry for a successful action of the actor on a target in its workspace. */
export function actorAuditEntry(
  actor: Actor,
  action: string,
  target: { type: string; id: string },
  ip: string | null,
  metadata: Record<string, unknown> = {},
): NewAuditEntry {
  return {
    workspaceId: actor.workspaceId,
    ...auditActor(actor),
    action,
    targetType: target.type,
    targetId: target.id,
    outcome: 'success',
    ip,
    metadata,
  };
}
