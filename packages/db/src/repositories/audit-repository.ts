import { and, desc, eq, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { computeAuditHash, GENESIS_HASH, newId, type AuditEntry, type AuditStore } from '@parley/core';
import type { Tx } from '../database.ts';
import { auditLog } from '../schema/index.ts';

const PLATFORM_CHAIN = '00000000-0000-0000-0000-000000000000';

function chainFilter(workspaceId: string | null): SQL {
  return workspaceId === null ? isNull(auditLog.workspaceId) : eq(auditLog.workspaceId, workspaceId);
}

function toEntry(row: typeof auditLog.$inferSelect): AuditEntry {
  // actor_type and outcome are only ever written from the AuditEntry unions.
  return row as AuditEntry;
}

export function auditRepository(tx: Tx): AuditStore {
  return {
    async append(input) {
      // One writer per chain at a time: the lock is released when the transaction ends.
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtext(${'audit:' + (input.workspaceId ?? PLATFORM_CHAIN)}))`,
      );
      const [last] = await tx
        .select({ seq: auditLog.seq, hash: auditLog.hash })
        .from(auditLog)
        .where(chainFilter(input.workspaceId))
        .orderBy(desc(auditLog.seq))
        .limit(1);
      const unsigned = {
        workspaceId: input.workspaceId,
        seq: (last?.seq ?? 0) + 1,
        // Millisecond precision: what PostgreSQL stores is what the hash covers.
        occurredAt: new Date(Math.floor((input.occurredAt ?? new Date()).getTime())),
        actorType: input.actorType,
        actorId: input.actorId,
        action: input.action,
        targetType: input.targetType,
        targetId: input.targetId,
        outcome: input.outcome,
        ip: input.ip,
        metadata: input.metadata,
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      const entry: AuditEntry = { ...unsigned, hash: computeAuditHash(unsigned) };
      await tx.insert(auditLog).values({ id: newId(), ...entry });
      return entry;
    },
    async list(workspaceId, { beforeSeq, limit }) {
      const rows = await tx
        .select()
        .from(auditLog)
        .where(and(chainFilter(workspaceId), beforeSeq === null ? undefined : lt(auditLog.seq, beforeSeq)))
        .orderBy(desc(auditLog.seq))
        .limit(limit);
      return rows.map(toEntry);
    },
    async readChain(workspaceId) {
      const rows = await tx.select().from(auditLog).where(chainFilter(workspaceId)).orderBy(auditLog.seq);
      return rows.map(toEntry);
    },
  };
}

/** Every chain in the database (owner scope): the platform chain and one per workspace. */
export async function listAuditChains(tx: Tx): Promise<(string | null)[]> {
  const rows = await tx.selectDistinct({ workspaceId: auditLog.workspaceId }).from(auditLog);
  return rows.map((r) => r.workspaceId);
}
