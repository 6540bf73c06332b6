import type { AuditStore } from '../privacy/audit-store.ts';
import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import { actorAuditEntry, authorize, type Actor } from '../workspaces/actor.ts';
import type { CannedResponseRecord, CannedResponseStore } from './inbox-ports.ts';

export const SHORTCUT_PATTERN = /^[a-z0-9_-]{1,32}$/;
export const CANNED_BODY_MAX = 4096;

function invalid(field: string, problem: string): DomainError {
  return new DomainError('validation_failed', `The ${field} ${problem}.`, {
    fields: [{ path: `body/${field}`, problem }],
  });
}

function shortcutOf(shortcut: string): string {
  if (!SHORTCUT_PATTERN.test(shortcut)) {
    throw invalid('shortcut', 'must be 1 to 32 lowercase letters, digits, _ or -');
  }
  return shortcut;
}

function nonBlank(field: 'title' | 'body', value: string, max: number): string {
  if (value.trim() === '') throw invalid(field, 'must not be blank');
  if (value.length > max) throw invalid(field, `must be at most ${max} characters`);
  return field === 'title' ? value.trim() : value;
}

async function loadCannedResponse(
  deps: { cannedResponses: CannedResponseStore },
  id: string,
): Promise<CannedResponseRecord> {
  const response = await deps.cannedResponses.get(id);
  if (!response) throw new DomainError('not_found', 'Canned response not found.');
  return response;
}

type ManageDeps = { cannedResponses: CannedResponseStore; audit: AuditStore };

/**
 * The workspace's canned responses by shortcut; `q` keeps those whose shortcut starts with it
 * (what the composer shows as an agent types `/q…`).
 */
export async function listCannedResponses(
  deps: { cannedResponses: CannedResponseStore },
  actor: Actor,
  input: { q?: string },
): Promise<CannedResponseRecord[]> {
  authorize(actor, 'conversations.read');
  const prefix = input.q?.toLowerCase();
  return deps.cannedResponses.list(prefix === '' ? undefined : prefix);
}

export async function createCannedResponse(
  deps: ManageDeps,
  actor: Actor,
  input: { shortcut: string; title: string; body: string; ip: string | null },
): Promise<CannedResponseRecord> {
  authorize(actor, 'inbox.manage');
  const response = {
    id: newId(),
    workspaceId: actor.workspaceId,
    shortcut: shortcutOf(input.shortcut),
    title: nonBlank('title', input.title, 200),
    body: nonBlank('body', input.body, CANNED_BODY_MAX),
  };
  await deps.cannedResponses.insert(response);
  await deps.audit.append(
    actorAuditEntry(
      actor,
      'canned_response.created',
      { type: 'canned_response', id: response.id },
      input.ip,
      {
        shortcut: response.shortcut,
      },
    ),
  );
  return loadCannedResponse(deps, response.id);
}

export async function updateCannedResponse(
  deps: ManageDeps,
  actor: Actor,
  input: { cannedResponseId: string; shortcut?: string; title?: string; body?: string; ip: string | null },
): Promise<CannedResponseRecord> {
  authorize(actor, 'inbox.manage');
  const response = await loadCannedResponse(deps, input.cannedResponseId);
  const patch = {
    ...(input.shortcut !== undefined ? { shortcut: shortcutOf(input.shortcut) } : {}),
    ...(input.title !== undefined ? { title: nonBlank('title', input.title, 200) } : {}),
    ...(input.body !== undefined ? { body: nonBlank('body', input.body, CANNED_BODY_MAX) } : {}),
  };
  if (Object.keys(patch).length === 0) return response;
  await deps.cannedResponses.update(response.id, patch);
  await deps.audit.append(
    actorAuditEntry(
      actor,
      'canned_response.updated',
      { type: 'canned_response', id: response.id },
      input.ip,
      {
        shortcut: patch.shortcut ?? response.shortcut,
        fields: Object.keys(patch),
      },
    ),
  );
  return loadCannedResponse(deps, response.id);
}

export async function deleteCannedResponse(
  deps: ManageDeps,
  actor: Actor,
  input: { cannedResponseId: string; ip: string | null },
): Promise<void> {
  authorize(actor, 'inbox.manage');
  const response = await loadCannedResponse(deps, input.cannedResponseId);
  if (!(await deps.cannedResponses.delete(response.id))) {
    throw new DomainError('not_found', 'Canned response not found.');
  }
  await deps.audit.append(
    actorAuditEntry(
      actor,
      'canned_response.deleted',
      { type: 'canned_response', id: response.id },
      input.ip,
      {
        shortcut: response.shortcut,
      },
    ),
  );
}
