import { cursorInteger, decodeCursor, encodeCursor } from '../shared/cursor.ts';
import { authorize, type Actor } from '../workspaces/actor.ts';
import type { Page } from '../workspaces/workspace-store.ts';
import { verifyAuditChain, type AuditChainVerification, type AuditEntry } from './audit-chain.ts';
import type { AuditStore } from './audit-store.ts';

/** The workspace's audit log, newest first, a page at a time. */
export async function listAuditLog(
  deps: { audit: AuditStore },
  actor: Actor,
  page: { cursor?: string; limit: number },
): Promise<Page<AuditEntry>> {
  authorize(actor, 'audit.read');
  const beforeSeq = page.cursor ? cursorInteger(decodeCursor(page.cursor), 'seq') : null;
  const items = await deps.audit.list(actor.workspaceId, { beforeSeq, limit: page.limit + 1 });
  const shown = items.slice(0, page.limit);
  const last = shown[shown.length - 1];
  return {
    items: shown,
    nextCursor: items.length > page.limit && last ? encodeCursor({ seq: last.seq }) : null,
  };
}

/** Recomputes the workspace's hash chain: which entry, if any, was changed or removed. */
export async function verifyWorkspaceAuditLog(
  deps: { audit: AuditStore },
  actor: Actor,
): Promise<AuditChainVerification> {
  authorize(actor, 'audit.read');
  return verifyAuditChain(await deps.audit.readChain(actor.workspaceId));
}
