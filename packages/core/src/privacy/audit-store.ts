import type { AuditEntry } from './audit-chain.ts';

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash' | 'occurredAt'> & {
  occurredAt?: Date;
};

/** Port: the append-only audit log. */
export interface AuditStore {
  /** Appends to the chain of entry.workspaceId, computing seq and hash under a per-chain lock. */
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Newest first. */
  list(workspaceId: string | null, page: { beforeSeq: number | null; limit: number }): Promise<AuditEntry[]>;
  /** The whole chain in order, for verification. */
  readChain(workspaceId: string | null): Promise<AuditEntry[]>;
}
