import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { IdentityStore, RateLimitStore, SessionRecord, UserRecord } from '@parley/core';
import { queryRows, type Tx } from '../database.ts';
import { authRateLimits, passwordResets, recoveryCodes, sessions, users } from '../schema/index.ts';
import { newId } from '@parley/core';

export function identityRepository(tx: Tx): IdentityStore {
  return {
    async countUsers() {
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
      return row?.n ?? 0;
    },
    async findUserByEmail(email) {
      const [row] = await tx
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = lower(${email})`);
      return (row as UserRecord | undefined) ?? null;
    },
    async findUserById(id) {
      const [row] = await tx.select().from(users).where(eq(users.id, id));
      return (row as UserRecord | undefined) ?? null;
    },
    async insertUser(user) {
      await tx.insert(users).values(user);
    },
    async updateUser(id, patch) {
      if (Object.keys(patch).length === 0) return;
      await tx.update(users).set(patch).where(eq(users.id, id));
    },

    async insertSession(session) {
      await tx.insert(sessions).values({ ...session, lastSeenAt: session.createdAt });
    },
    async findSessionByTokenHash(tokenHash) {
      const [row] = await tx.select().from(sessions).where(eq(sessions.tokenHash, tokenHash));
      return (row as SessionRecord | undefined) ?? null;
    },
    async touchSession(id, at) {
      await tx.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id));
    },
    async revokeSession(id, reason, at) {
      await tx
        .update(sessions)
        .set({ revokedAt: at, revokedReason: reason })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
    },
    async revokeUserSessions(userId, reason, at) {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: at, revokedReason: reason })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length;
    },
    async listLiveSessions(userId, now) {
      const rows = await tx
        .select()
        .from(sessions)
        .where(
          and(
            eq(sessions.userId, userId),
            isNull(sessions.revokedAt),
            gt(sessions.expiresAt, now),
            eq(sessions.mfaPending, false),
          ),
        )
        .orderBy(sql`${sessions.lastSeenAt} desc`);
      return rows as SessionRecord[];
    },

    async replaceRecoveryCodes(userId, codeHashes) {
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      if (codeHashes.length > 0) {
        await tx
          .insert(recoveryCodes)
          .values(codeHashes.map((codeHash) => ({ id: newId(), userId, codeHash })));
      }
    },
    async consumeRecoveryCode(userId, codeHash, at) {
      const rows = await tx
        .update(recoveryCodes)
        .set({ usedAt: at })
        .where(
          and(
            eq(recoveryCodes.userId, userId),
            eq(recoveryCodes.codeHash, codeHash),
            isNull(recoveryCodes.usedAt),
          ),
        )
        .returning({ id: recoveryCodes.id });
      return rows.length > 0;
    },
    async countUnusedRecoveryCodes(userId) {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(recoveryCodes)
        .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
      return row?.n ?? 0;
    },

    async insertPasswordReset(reset) {
      await tx.insert(passwordResets).values(reset);
    },
    async consumePasswordReset(tokenHash, now) {
      const [row] = await tx
        .update(passwordResets)
        .set({ usedAt: now })
        .where(
          and(
            eq(passwordResets.tokenHash, tokenHash),
            isNull(passwordResets.usedAt),
            gt(passwordResets.expiresAt, now),
          ),
        )
        .returning({ userId: passwordResets.userId });
      return row ?? null;
    },
  };
}

export function rateLimitRepository(tx: Tx): RateLimitStore {
  return {
    async hit(key, windowMs, now) {
      // One statement: start a new window when the old one has ended, else count on.
      const rows = await queryRows<{ count: number; window_start: string | Date }>(
        tx,
        sql`
        insert into auth_rate_limits (key, window_start, count) values (${key}, ${now.toISOString()}::timestamptz, 1)
        on conflict (key) do update set
          count = case when auth_rate_limits.window_start <= ${now.toISOString()}::timestamptz - make_interval(secs => ${windowMs / 1000})
                       then 1 else auth_rate_limits.count + 1 end,
          window_start = case when auth_rate_limits.window_start <= ${now.toISOString()}::timestamptz - make_interval(secs => ${windowMs / 1000})
                       then excluded.window_start else auth_rate_limits.window_start end
        returning count, window_start`,
      );
      const row = rows[0];
      if (!row) throw new Error('rate limit upsert returned no row');
      return { count: row.count, resetAt: new Date(new Date(row.window_start).getTime() + windowMs) };
    },
    async reset(key) {
      await tx.delete(authRateLimits).where(eq(authRateLimits.key, key));
    },
  };
}
