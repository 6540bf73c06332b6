import type { AuditStore } from '../privacy/audit-store.ts';
import { DomainError } from '../shared/domain-error.ts';
import { actorAuditEntry, authorize, type Actor } from '../workspaces/actor.ts';
import { can } from '../workspaces/roles.ts';
import type { WorkspaceStore } from '../workspaces/workspace-store.ts';
import type { AgentAvailabilityStore, InboxSettings, InboxSettingsStore, TeamStore } from './inbox-ports.ts';
import type { ConversationRecord } from './model.ts';
import type { ConversationStore, RealtimeLog } from './ports.ts';
import { loadConversation } from './send-message.ts';

/** The permission a member needs to be given conversations (by hand or by round-robin). */
const WORKS_CONVERSATIONS = 'conversations.write';

export interface AssignInput {
  conversationId: string;
  /** A member who may work conversations, or null to unassign. */
  assigneeId: string | null;
  /** A team, null to clear it; left out, the team stays. */
  teamId?: string | null;
}

/**
 * Assigns a conversation to a member (and optionally a team). Not audited (agents do it all day);
 * the team sees it live through a `conversation.updated` event addressed to the assignee.
 */
export async function assignConversation(
  deps: {
    conversations: ConversationStore;
    teams: Pick<TeamStore, 'get'>;
    workspaces: Pick<WorkspaceStore, 'getMember'>;
    realtime: RealtimeLog;
  },
  actor: Actor,
  input: AssignInput,
): Promise<ConversationRecord> {
  authorize(actor, 'conversations.write');
  const conversation = await loadConversation(deps, input.conversationId);
  if (input.assigneeId !== null) {
    const member = await deps.workspaces.getMember(actor.workspaceId, input.assigneeId);
    if (!member) throw new DomainError('not_found', 'Member not found.');
    if (!can(member.role, WORKS_CONVERSATIONS)) {
      throw new DomainError(
        'assignee_not_eligible',
        `A member with the ${member.role} role cannot work conversations; assign an agent, admin or owner.`,
      );
    }
  }
  if (input.teamId !== undefined && input.teamId !== null && !(await deps.teams.get(input.teamId))) {
    throw new DomainError('not_found', 'Team not found.');
  }
  const assigneeId = input.assigneeId;
  const teamId = input.teamId === undefined ? conversation.teamId : input.teamId;
  if (assigneeId === conversation.assigneeId && teamId === conversation.teamId) return conversation;
  await deps.conversations.update(conversation.id, { assigneeId, teamId });
  await deps.realtime.append({
    type: 'conversation.updated',
    conversationId: conversation.id,
    userId: assigneeId,
    data: { assigneeId, teamId },
  });
  return loadConversation(deps, conversation.id);
}

export type AutoAssignDeps = {
  conversations: ConversationStore;
  settings: Pick<InboxSettingsStore, 'get'>;
  availability: AgentAvailabilityStore;
  realtime: RealtimeLog;
  now: Date;
};

/**
 * Round-robin: when the workspace turned auto-assignment on, a new conversation goes to the
 * available member (agent, admin or owner) whose turn it is — never assigned before, or assigned
 * longest ago — among the conversation's team when it has one. Turns are taken under a lock held
 * until the transaction ends, so concurrent conversations go to different members.
 *
 * Fits `IngestDeps.autoAssign`; call it after the conversation exists (the ingestion path does,
 * after appending `conversation.created`). Returns the assignee, or null when nobody was picked.
 */
export async function autoAssignConversation(
  deps: AutoAssignDeps,
  conversation: Pick<ConversationRecord, 'id' | 'assigneeId' | 'teamId'>,
): Promise<string | null> {
  if (conversation.assigneeId !== null) return null;
  if (!(await deps.settings.get()).autoAssign) return null;
  await deps.availability.lockTurns();
  const candidates = await deps.availability.candidates(conversation.teamId);
  const next = candidates.find((c) => can(c.role, WORKS_CONVERSATIONS));
  if (!next) return null;
  await deps.availability.recordTurn(next.userId, deps.now);
  await deps.conversations.update(conversation.id, { assigneeId: next.userId });
  await deps.realtime.append({
    type: 'conversation.updated',
    conversationId: conversation.id,
    userId: next.userId,
    data: { assigneeId: next.userId, teamId: conversation.teamId, autoAssigned: true },
  });
  return next.userId;
}

/** Availability is a person's own: an API key or an operator on a support grant has none. */
function memberUserId(actor: Actor): string {
  if (actor.kind !== 'user' || actor.supportGrantId !== null) {
    throw new DomainError('forbidden', 'Only a member signed in as themselves has an availability.');
  }
  return actor.userId;
}

export async function getMyAvailability(
  deps: { availability: Pick<AgentAvailabilityStore, 'isAvailable'> },
  actor: Actor,
): Promise<{ available: boolean }> {
  authorize(actor, 'conversations.read');
  return { available: await deps.availability.isAvailable(memberUserId(actor)) };
}

/** The caller takes themselves out of (or back into) the round-robin. */
export async function setMyAvailability(
  deps: { availability: Pick<AgentAvailabilityStore, 'setAvailable'> },
  actor: Actor,
  input: { available: boolean },
): Promise<{ available: boolean }> {
  authorize(actor, 'conversations.write');
  await deps.availability.setAvailable(memberUserId(actor), input.available);
  return { available: input.available };
}

export async function getInboxSettings(
  deps: { settings: InboxSettingsStore },
  actor: Actor,
): Promise<InboxSettings> {
  authorize(actor, 'inbox.manage');
  return deps.settings.get();
}

export async function updateInboxSettings(
  deps: { settings: InboxSettingsStore; audit: AuditStore },
  actor: Actor,
  input: Partial<InboxSettings> & { ip: string | null },
): Promise<InboxSettings> {
  authorize(actor, 'inbox.manage');
  const current = await deps.settings.get();
  const next: InboxSettings = { autoAssign: input.autoAssign ?? current.autoAssign };
  if (next.autoAssign === current.autoAssign) return current;
  await deps.settings.save(next);
  await deps.audit.append(
    actorAuditEntry(actor, 'inbox_settings.updated', { type: 'workspace', id: actor.workspaceId }, input.ip, {
      ...next,
    }),
  );
  return next;
}
