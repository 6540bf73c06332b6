import type { AuditStore } from '../privacy/audit-store.ts';
import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import { actorAuditEntry, authorize, type Actor } from '../workspaces/actor.ts';
import type { WorkspaceStore } from '../workspaces/workspace-store.ts';
import type { TeamRecord, TeamStore } from './inbox-ports.ts';

function teamName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') {
    throw new DomainError('validation_failed', 'A team needs a name.', {
      fields: [{ path: 'body/name', problem: 'must not be blank' }],
    });
  }
  return trimmed;
}

async function loadTeam(deps: { teams: TeamStore }, id: string): Promise<TeamRecord> {
  const team = await deps.teams.get(id);
  if (!team) throw new DomainError('not_found', 'Team not found.');
  return team;
}

type ManageDeps = { teams: TeamStore; audit: AuditStore };

/** Teams with their members' user ids. */
export async function listTeams(deps: { teams: TeamStore }, actor: Actor): Promise<TeamRecord[]> {
  authorize(actor, 'conversations.read');
  return deps.teams.list();
}

export async function createTeam(
  deps: ManageDeps,
  actor: Actor,
  input: { name: string; ip: string | null },
): Promise<TeamRecord> {
  authorize(actor, 'inbox.manage');
  const team = { id: newId(), workspaceId: actor.workspaceId, name: teamName(input.name) };
  await deps.teams.insert(team);
  await deps.audit.append(
    actorAuditEntry(actor, 'team.created', { type: 'team', id: team.id }, input.ip, { name: team.name }),
  );
  return loadTeam(deps, team.id);
}

export async function renameTeam(
  deps: ManageDeps,
  actor: Actor,
  input: { teamId: string; name: string; ip: string | null },
): Promise<TeamRecord> {
  authorize(actor, 'inbox.manage');
  const team = await loadTeam(deps, input.teamId);
  const name = teamName(input.name);
  if (name === team.name) return team;
  await deps.teams.rename(team.id, name);
  await deps.audit.append(
    actorAuditEntry(actor, 'team.updated', { type: 'team', id: team.id }, input.ip, {
      from: team.name,
      to: name,
    }),
  );
  return { ...team, name };
}

/** Deletes a team; its conversations keep their assignee and lose the team. */
export async function deleteTeam(
  deps: ManageDeps,
  actor: Actor,
  input: { teamId: string; ip: string | null },
): Promise<void> {
  authorize(actor, 'inbox.manage');
  const team = await loadTeam(deps, input.teamId);
  if (!(await deps.teams.delete(team.id))) throw new DomainError('not_found', 'Team not found.');
  await deps.audit.append(
    actorAuditEntry(actor, 'team.deleted', { type: 'team', id: team.id }, input.ip, { name: team.name }),
  );
}

/** Adds a member of the workspace to a team; doing it again changes nothing. */
export async function addTeamMember(
  deps: ManageDeps & { workspaces: Pick<WorkspaceStore, 'getMember'> },
  actor: Actor,
  input: { teamId: string; userId: string; ip: string | null },
): Promise<TeamRecord> {
  authorize(actor, 'inbox.manage');
  const team = await loadTeam(deps, input.teamId);
  if (!(await deps.workspaces.getMember(actor.workspaceId, input.userId))) {
    throw new DomainError('not_found', 'Member not found.');
  }
  if (!(await deps.teams.addMember(team.id, input.userId))) return team;
  await deps.audit.append(
    actorAuditEntry(actor, 'team.member_added', { type: 'team', id: team.id }, input.ip, {
      userId: input.userId,
    }),
  );
  return loadTeam(deps, team.id);
}

/** Takes someone off a team; doing it again changes nothing. */
export async function removeTeamMember(
  deps: ManageDeps,
  actor: Actor,
  input: { teamId: string; userId: string; ip: string | null },
): Promise<void> {
  authorize(actor, 'inbox.manage');
  const team = await loadTeam(deps, input.teamId);
  if (!(await deps.teams.removeMember(team.id, input.userId))) return;
  await deps.audit.append(
    actorAuditEntry(actor, 'team.member_removed', { type: 'team', id: team.id }, input.ip, {
      userId: input.userId,
    }),
  );
}
