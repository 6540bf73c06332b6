import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type {
  ApiKeyRecord,
  InvitationRecord,
  MemberRecord,
  SupportGrantRecord,
  WorkspaceRecord,
  WorkspaceStore,
} from '@parley/core';
import type { Tx } from '../database.ts';
import { apiKeys, invitations, memberships, supportGrants, users, workspaces } from '../schema/index.ts';

// Rows are read back exactly as written through the typed ports, so the text columns hold
// valid Role / Plan / status values; the casts below only narrow `string` to those unions.
export function workspaceRepository(tx: Tx): WorkspaceStore {
  const memberColumns = {
    workspaceId: memberships.workspaceId,
    userId: memberships.userId,
    role: memberships.role,
    email: users.email,
    name: users.name,
    twoFactorEnabled: sql<boolean>`${users.totpEnabledAt} is not null`,
    createdAt: memberships.createdAt,
  };
  return {
    async insertWorkspace(ws) {
      await tx.insert(workspaces).values(ws);
    },
    async getWorkspace(id) {
      const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, id));
      return (row as WorkspaceRecord | undefined) ?? null;
    },
    async updateWorkspace(id, patch) {
      await tx
        .update(workspaces)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(workspaces.id, id));
    },
    async listWorkspaces({ after, limit }) {
      const rows = await tx
        .select()
        .from(workspaces)
        .where(after ? lt(workspaces.id, after) : undefined)
        .orderBy(desc(workspaces.id))
        .limit(limit + 1);
      const items = rows.slice(0, limit) as WorkspaceRecord[];
      return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
    },

    async insertMembership(m) {
      await tx.insert(memberships).values(m);
    },
    async getMember(workspaceId, userId) {
      const [row] = await tx
        .select(memberColumns)
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
      return (row as MemberRecord | undefined) ?? null;
    },
    async listMembers(workspaceId) {
      const rows = await tx
        .select(memberColumns)
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.workspaceId, workspaceId))
        .orderBy(memberships.createdAt);
      return rows as MemberRecord[];
    },
    async updateMemberRole(workspaceId, userId, role) {
      await tx
        .update(memberships)
        .set({ role })
        .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    },
    async deleteMember(workspaceId, userId) {
      await tx
        .delete(memberships)
        .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    },
    async countOwners(workspaceId) {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(memberships)
        .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')));
      return row?.n ?? 0;
    },
    async listMembershipsOfUser(userId) {
      const rows = await tx
        .select({
          workspaceId: memberships.workspaceId,
          workspaceName: workspaces.name,
          role: memberships.role,
        })
        .from(memberships)
        .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
        .where(eq(memberships.userId, userId))
        .orderBy(memberships.createdAt);
      return rows as { workspaceId: string; workspaceName: string; role: MemberRecord['role'] }[];
    },

    async insertInvitation(inv) {
      await tx.insert(invitations).values(inv);
    },
    async findInvitationByTokenHash(tokenHash) {
      const [row] = await tx.select().from(invitations).where(eq(invitations.tokenHash, tokenHash));
      return (row as InvitationRecord | undefined) ?? null;
    },
    async getInvitation(id) {
      const [row] = await tx.select().from(invitations).where(eq(invitations.id, id));
      return (row as InvitationRecord | undefined) ?? null;
    },
    async listPendingInvitations(workspaceId, now) {
      const rows = await tx
        .select()
        .from(invitations)
        .where(
          and(
            eq(invitations.workspaceId, workspaceId),
            isNull(invitations.acceptedAt),
            isNull(invitations.revokedAt),
            gt(invitations.expiresAt, now),
          ),
        )
        .orderBy(desc(invitations.createdAt));
      return rows as InvitationRecord[];
    },
    async markInvitationAccepted(id, at) {
      await tx.update(invitations).set({ acceptedAt: at }).where(eq(invitations.id, id));
    },
    async revokeInvitation(id, at) {
      await tx.update(invitations).set({ revokedAt: at }).where(eq(invitations.id, id));
    },

    async insertApiKey(key) {
      await tx.insert(apiKeys).values(key);
    },
    async findApiKeyByTokenHash(tokenHash) {
      const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.tokenHash, tokenHash));
      return (row as ApiKeyRecord | undefined) ?? null;
    },
    async getApiKey(id) {
      const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id));
      return (row as ApiKeyRecord | undefined) ?? null;
    },
    async listApiKeys(workspaceId) {
      const rows = await tx
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
        .orderBy(desc(apiKeys.createdAt));
      return rows as ApiKeyRecord[];
    },
    async touchApiKey(id, at) {
      await tx.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
    },
    async revokeApiKey(id, at) {
      await tx.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id));
    },

    async insertSupportGrant(grant) {
      await tx.insert(supportGrants).values(grant);
    },
    async getSupportGrant(id) {
      const [row] = await tx.select().from(supportGrants).where(eq(supportGrants.id, id));
      return (row as SupportGrantRecord | undefined) ?? null;
    },
    async listSupportGrants(workspaceId) {
      const rows = await tx
        .select()
        .from(supportGrants)
        .where(eq(supportGrants.workspaceId, workspaceId))
        .orderBy(desc(supportGrants.createdAt));
      return rows as SupportGrantRecord[];
    },
    async activeSupportGrant(workspaceId, now) {
      const [row] = await tx
        .select()
        .from(supportGrants)
        .where(
          and(
            eq(supportGrants.workspaceId, workspaceId),
            isNull(supportGrants.revokedAt),
            gt(supportGrants.expiresAt, now),
          ),
        )
        .orderBy(desc(supportGrants.expiresAt))
        .limit(1);
      return (row as SupportGrantRecord | undefined) ?? null;
    },
    async revokeSupportGrant(id, at) {
      await tx.update(supportGrants).set({ revokedAt: at }).where(eq(supportGrants.id, id));
    },
  };
}
