import { sha256Hex } from '../shared/secrets.ts';

// A tamper-evident hash chain over the audit log. Each workspace has its own chain (null =
// the platform chain); seq starts at 1 and each entry's hash covers the previous entry's hash.
//
// The chain makes edits, deletions and reordering inside the log detectable. It cannot, by
// itself, detect the newest entries being cut off, or a writer who recomputes every hash:
// keep the head hash somewhere else too if that matters.

export type AuditActorType = 'user' | 'api_key' | 'operator' | 'system' | 'anonymous';
export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  seq: number;
  workspaceId: string | null;
  occurredAt: Date;
  actorType: AuditActorType;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditOutcome;
  ip: string | null;
  metadata: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type AuditChainVerification =
  | { ok: true; count: number }
  | { ok: false; seq: number; reason: 'hash_mismatch' | 'broken_link' | 'sequence_gap' };

export const GENESIS_HASH: string = '0'.repeat(64);

/**
 * Canonical JSON: object keys sorted at every depth, Dates as ISO strings, and otherwise the
 * semantics of JSON.stringify (undefined properties dropped, non-finite numbers → null), so a
 * value that went through a JSON/jsonb column hashes the same as the original.
 */
function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    return `[${value.map((v) => (typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (typeof value === 'object') {
    // Probing for a toJSON method (as JSON.stringify does) on an otherwise unknown object.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return canonicalJson(toJSON.call(value));
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined && typeof v !== 'function')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  // string, number, boolean
  return JSON.stringify(value) ?? 'null';
}

/** Deterministic JSON of an entry's hashed fields (any extra properties are ignored). */
export function canonicalAuditPayload(e: Omit<AuditEntry, 'hash'>): string {
  return canonicalJson({
    seq: e.seq,
    workspaceId: e.workspaceId,
    occurredAt: e.occurredAt,
    actorType: e.actorType,
    actorId: e.actorId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    outcome: e.outcome,
    ip: e.ip,
    metadata: e.metadata,
    prevHash: e.prevHash,
  });
}

export function computeAuditHash(e: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(`${e.prevHash}\n${canonicalAuditPayload(e)}`);
}

/**
 * Verifies one chain ordered by seq. By default it starts at seq 1 from GENESIS_HASH; pass
 * `startAfter` (the last entry already verified) to verify a long chain in batches.
 * Each entry is checked for its own hash first, so an edited field is reported at its entry.
 */
export function verifyAuditChain(
  entries: AuditEntry[],
  startAfter: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): AuditChainVerification {
  let expectedSeq = startAfter.seq + 1;
  let prevHash = startAfter.hash;
  for (const e of entries) {
    if (computeAuditHash(e) !== e.hash) return { ok: false, seq: e.seq, reason: 'hash_mismatch' };
    if (e.seq !== expectedSeq) return { ok: false, seq: e.seq, reason: 'sequence_gap' };
    if (e.prevHash !== prevHash) return { ok: false, seq: e.seq, reason: 'broken_link' };
    expectedSeq += 1;
    prevHash = e.hash;
  }
  return { ok: true, count: entries.length };
}
