import { verifyAuditChain, type AuditChainVerification } from '@parley/core';
import { auditRepository, workspaceRepository, type Database } from '@parley/db';

export interface ChainReport {
  workspaceId: string | null;
  result: AuditChainVerification;
}

/** Every workspace id (operator scope sees the workspaces table only). */
export async function allWorkspaceIds(db: Database): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await db.run({ operator: true }, (tx) =>
      workspaceRepository(tx).listWorkspaces({ after, limit: 500 }),
    );
    ids.push(...page.items.map((w) => w.id));
    if (!page.nextCursor) return ids;
    after = page.nextCursor;
  }
}

/** Verifies the platform chain and every workspace's chain, each inside its own RLS scope. */
export async function verifyAllAuditChains(db: Database): Promise<ChainReport[]> {
  const reports: ChainReport[] = [];
  for (const workspaceId of [null, ...(await allWorkspaceIds(db))]) {
    const entries = await db.run({ workspaceId }, (tx) => auditRepository(tx).readChain(workspaceId));
    reports.push({ workspaceId, result: verifyAuditChain(entries) });
  }
  return reports;
}
