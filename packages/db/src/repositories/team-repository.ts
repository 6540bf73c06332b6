import { and, asc, eq, sql } from 'drizzle-orm';
import type { TeamStore } from '@parley/core';
import type { Tx } from '../database.ts';
import { teamMembers, teams } from '../schema/index.ts';

const columns = {
  id: teams.id,
  workspaceId: teams.workspaceId,
  name: teams.name,
  createdAt: teams.createdAt,
  // Only people who are still members of the workspace (removing a member leaves their rows).
  memberIds: sql<string[]>`coalesce((select array_agg(tm.user_id::text order by tm.created_at, tm.user_id)
    from team_members tm
    join memberships m on m.workspace_id = tm.workspace_id and m.user_id = tm.user_id
    where tm.team_id = ${teams.id}), '{}')`,
};

/** Teams of one workspace with their members. */
export function teamRepository(tx: Tx, workspaceId: string): TeamStore {
  const inWorkspace = (id: string) => and(eq(teams.workspaceId, workspaceId), eq(teams.id, id));
  return {
    async list() {
      return tx
        .select(columns)
        .from(teams)
        .where(eq(teams.workspaceId, workspaceId))
        .orderBy(asc(sql`lower(${teams.name})`), asc(teams.id));
    },
    async get(id) {
      const [row] = await tx.select(columns).from(teams).where(inWorkspace(id));
      return row ?? null;
    },
    async insert(team) {
      await tx.insert(teams).values({ ...team, workspaceId });
    },
    async rename(id, name) {
      await tx.update(teams).set({ name }).where(inWorkspace(id));
    },
    async delete(id) {
      const gone = await tx.delete(teams).where(inWorkspace(id)).returning({ id: teams.id });
      return gone.length > 0;
    },
    async addMember(teamId, userId) {
      const added = await tx
        .insert(teamMembers)
        .values({ workspaceId, teamId, userId })
        .onConflictDoNothing()
        .returning({ userId: teamMembers.userId });
      return added.length > 0;
    },
    async removeMember(teamId, userId) {
      const gone = await tx
        .delete(teamMembers)
        .where(
          and(
            eq(teamMembers.workspaceId, workspaceId),
            eq(teamMembers.teamId, teamId),
            eq(teamMembers.userId, userId),
          ),
        )
        .returning({ userId: teamMembers.userId });
      return gone.length > 0;
    },
  };
}
