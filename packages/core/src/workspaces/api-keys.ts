import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import { actorAuditEntry, authorize, type Actor } from './actor.ts';
import type { Role } from './roles.ts';
import { hashWorkspaceToken, newWorkspaceToken } from './tokens.ts';
import type { WorkspaceStore } from './workspace-store.ts';

type Deps = { workspaces: WorkspaceStore; audit: AuditStore; now: Date };

/** Creates an API key; the token is returned this once and only its hash is kept. */
export async function createApiKey(
  deps: Deps,
  actor: Actor,
  input: { name: string; role: Role; ip: string | null },
) {
  authorize(actor, 'api_keys.manage');
  if (input.role === 'owner') {
    throw new DomainError(
      'validation_failed',
      'API keys can have the admin, agent or analyst role, not owner.',
    );
  }
  const { token, tokenHash } = newWorkspaceToken('prk', actor.workspaceId);
  const key = {
    id: newId(),
    workspaceId: actor.workspaceId,
    name: input.name.trim() || 'API key',
    role: input.role,
    tokenHash,
    prefix: token.slice(0, 12),
    createdBy: actor.kind === 'user' ? actor.userId : null,
  };
  await deps.workspaces.insertApiKey(key);
  await deps.audit.append(
    actorAuditEntry(actor, 'api_key.created', { type: 'api_key', id: key.id }, input.ip, {
      role: input.role,
      name: key.name,
    }),
  );
  return { key: { ...key, createdAt: deps.now, lastUsedAt: null, revokedAt: null }, token };
}

export async function listApiKeys(deps: Pick<Deps, 'workspaces'>, actor: Actor) {
  authorize(actor, 'api_keys.manage');
  return deps.workspaces.listApiKeys(actor.workspaceId);
}

export async function revokeApiKey(deps: Deps, actor: Actor, input: { apiKeyId: string; ip: string | null }) {
  authorize(actor, 'api_keys.manage');
  const key = await deps.workspaces.getApiKey(input.apiKeyId);
  if (!key || key.revokedAt) throw new DomainError('not_found', 'API key not found.');
  await deps.workspaces.revokeApiKey(key.id, deps.now);
  await deps.audit.append(
    actorAuditEntry(actor, 'api_key.revoked', { type: 'api_key', id: key.id }, input.ip),
  );
}

/** Resolves a bearer API key (inside its workspace's scope) to an actor. */
export async function authenticateApiKey(
  deps: Pick<Deps, 'workspaces' | 'now'>,
  token: string,
): Promise<Actor> {
  const key = await deps.workspaces.findApiKeyByTokenHash(hashWorkspaceToken(token));
  if (!key || key.revokedAt) throw new DomainError('invalid_api_key', 'The API key is not valid.');
  if (!key.lastUsedAt || deps.now.getTime() - key.lastUsedAt.getTime() > 60_000) {
    await deps.workspaces.touchApiKey(key.id, deps.now);
  }
  return { kind: 'api_key', apiKeyId: key.id, workspaceId: key.workspaceId, role: key.role };
}
