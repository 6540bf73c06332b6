import { and, eq, sql } from 'drizzle-orm';
import { isRole, type AgentAvailabilityStore, type AssignmentCandidate } from '@parley/core';
import { queryRows, type Tx } from '../database.ts';
import { agentAvailability } from '../schema/index.ts';

interface CandidateRow {
  user_id: string;
  role: string;
  last_assigned_at: Date | string | null;
}

/**
 * Who takes part in round-robin assignment in one workspace, and whose turn it is. Turns are
 * serialised per workspace by a transaction-level advisory lock (rows of members who never
 * changed their availability do not exist, so there is nothing to `SELECT … FOR UPDATE`).
 */
export function agentAvailabilityRepository(tx: Tx, workspaceId: string): AgentAvailabilityStore {
  return {
    async isAvailable(userId) {
      const [row] = await tx
        .select({ available: agentAvailability.available })
        .from(agentAvailability)
        .where(and(eq(agentAvailability.workspaceId, workspaceId), eq(agentAvailability.userId, userId)));
      return row?.available ?? true;
    },
    async setAvailable(userId, available) {
      await tx
        .insert(agentAvailability)
        .values({ workspaceId, userId, available })
        .onConflictDoUpdate({
          target: [agentAvailability.workspaceId, agentAvailability.userId],
          set: { available, updatedAt: sql`now()` },
        });
    },
    async lockTurns() {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`round-robin:${workspaceId}`}))`);
    },
    async candidates(teamId) {
      const rows = await queryRows<CandidateRow>(
        tx,
        sql`select m.user_id, m.role, a.last_assigned_at
            from memberships m
            left join agent_availability a on a.workspace_id = m.workspace_id and a.user_id = m.user_id
            where m.workspace_id = ${workspaceId}
              and coalesce(a.available, true)
              and (${teamId}::uuid is null or exists (
                select 1 from team_members tm
                where tm.workspace_id = m.workspace_id and tm.team_id = ${teamId}::uuid and tm.user_id = m.user_id))
            order by a.last_assigned_at asc nulls first, m.created_at asc, m.user_id asc`,
      );
      return rows.flatMap((r): AssignmentCandidate[] =>
        isRole(r.role)
          ? [
              {
                userId: r.user_id,
                role: r.role,
                lastAssignedAt: r.last_assigned_at === null ? null : new Date(r.last_assigned_at),
              },
            ]
          : [],
      );
    },
    async recordTurn(userId, at) {
      // Strictly after the latest turn, so members assigned within the same instant still rotate.
      const turn = sql`greatest(${at.toISOString()}::timestamptz,
        (select max(last_assigned_at) from agent_availability where workspace_id = ${workspaceId})
          + interval '1 millisecond')`;
      await tx
        .insert(agentAvailability)
        .values({ workspaceId, userId, available: true, lastAssignedAt: turn })
        .onConflictDoUpdate({
          target: [agentAvailability.workspaceId, agentAvailability.userId],
          set: { lastAssignedAt: turn },
        });
    },
  };
}
