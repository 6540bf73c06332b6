import type { AuditStore } from '../privacy/audit-store.ts';
import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import { actorAuditEntry, authorize, type Actor } from '../workspaces/actor.ts';
import type { LabelRecord, LabelStore } from './inbox-ports.ts';
import type { ConversationRecord } from './model.ts';
import type { ConversationStore, RealtimeLog } from './ports.ts';
import { loadConversation } from './send-message.ts';

export const DEFAULT_LABEL_COLOR = '#6b7280';
const COLOR = /^#[0-9a-f]{6}$/;

function labelName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') {
    throw new DomainError('validation_failed', 'A label needs a name.', {
      fields: [{ path: 'body/name', problem: 'must not be blank' }],
    });
  }
  return trimmed;
}

function labelColor(color: string): string {
  const lower = color.toLowerCase();
  if (!COLOR.test(lower)) {
    throw new DomainError('validation_failed', 'A label color is #rrggbb.', {
      fields: [{ path: 'body/color', problem: 'must be #rrggbb' }],
    });
  }
  return lower;
}

async function loadLabel(deps: { labels: LabelStore }, id: string): Promise<LabelRecord> {
  const label = await deps.labels.get(id);
  if (!label) throw new DomainError('not_found', 'Label not found.');
  return label;
}

type ManageDeps = { labels: LabelStore; audit: AuditStore };

export async function listLabels(deps: { labels: LabelStore }, actor: Actor): Promise<LabelRecord[]> {
  authorize(actor, 'conversations.read');
  return deps.labels.list();
}

export async function createLabel(
  deps: ManageDeps,
  actor: Actor,
  input: { name: string; color?: string; ip: string | null },
): Promise<LabelRecord> {
  authorize(actor, 'inbox.manage');
  const label = {
    id: newId(),
    workspaceId: actor.workspaceId,
    name: labelName(input.name),
    color: input.color === undefined ? DEFAULT_LABEL_COLOR : labelColor(input.color),
  };
  await deps.labels.insert(label);
  await deps.audit.append(
    actorAuditEntry(actor, 'label.created', { type: 'label', id: label.id }, input.ip, { name: label.name }),
  );
  return loadLabel(deps, label.id);
}

export async function updateLabel(
  deps: ManageDeps,
  actor: Actor,
  input: { labelId: string; name?: string; color?: string; ip: string | null },
): Promise<LabelRecord> {
  authorize(actor, 'inbox.manage');
  const label = await loadLabel(deps, input.labelId);
  const patch = {
    ...(input.name !== undefined ? { name: labelName(input.name) } : {}),
    ...(input.color !== undefined ? { color: labelColor(input.color) } : {}),
  };
  if (Object.keys(patch).length === 0) return label;
  await deps.labels.update(label.id, patch);
  await deps.audit.append(
    actorAuditEntry(actor, 'label.updated', { type: 'label', id: label.id }, input.ip, patch),
  );
  return loadLabel(deps, label.id);
}

/** Deletes a label; it comes off every conversation that had it. */
export async function deleteLabel(
  deps: ManageDeps,
  actor: Actor,
  input: { labelId: string; ip: string | null },
): Promise<void> {
  authorize(actor, 'inbox.manage');
  const label = await loadLabel(deps, input.labelId);
  if (!(await deps.labels.delete(label.id))) throw new DomainError('not_found', 'Label not found.');
  await deps.audit.append(
    actorAuditEntry(actor, 'label.deleted', { type: 'label', id: label.id }, input.ip, { name: label.name }),
  );
}

type TagDeps = { conversations: ConversationStore; labels: LabelStore; realtime: RealtimeLog };

/** Puts a label on a conversation; doing it again changes nothing. */
export async function labelConversation(
  deps: TagDeps,
  actor: Actor,
  input: { conversationId: string; labelId: string },
): Promise<ConversationRecord> {
  authorize(actor, 'conversations.write');
  const conversation = await loadConversation(deps, input.conversationId);
  // Looked up in the caller's scope first: the foreign key alone would accept any workspace's label.
  const label = await loadLabel(deps, input.labelId);
  if (!(await deps.labels.attach(conversation.id, label.id))) return conversation;
  return announceLabels(deps, conversation.id);
}

/** Takes a label off a conversation; doing it again changes nothing. */
export async function unlabelConversation(
  deps: TagDeps,
  actor: Actor,
  input: { conversationId: string; labelId: string },
): Promise<ConversationRecord> {
  authorize(actor, 'conversations.write');
  const conversation = await loadConversation(deps, input.conversationId);
  const label = await loadLabel(deps, input.labelId);
  if (!(await deps.labels.detach(conversation.id, label.id))) return conversation;
  return announceLabels(deps, conversation.id);
}

async function announceLabels(deps: TagDeps, conversationId: string): Promise<ConversationRecord> {
  const updated = await loadConversation(deps, conversationId);
  await deps.realtime.append({
    type: 'conversation.updated',
    conversationId,
    data: { labelIds: updated.labelIds },
  });
  return updated;
}
