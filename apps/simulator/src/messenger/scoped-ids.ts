import { createHash } from 'node:crypto';

/** Which kind of scoped id an account hands out: PSID (Facebook Page) or IGSID (Instagram account). */
export type ScopedIdKind = 'psid' | 'igsid';

const SPACE = 10n ** 16n;

/**
 * The id a customer shows to one Page (PSID) or one Instagram professional account (IGSID).
 * On Meta the same person has a different id for every Page / IG account; the simulator derives
 * it from both ids, so it is deterministic, stable across restarts of the same seed, and
 * predictable in tests: 17 digits, `6…` for a PSID, `7…` for an IGSID.
 */
export function deriveScopedId(kind: ScopedIdKind, accountId: string, customerId: string): string {
  const digest = createHash('sha256').update(`${kind}\u0000${accountId}\u0000${customerId}`).digest();
  const n = digest.readBigUInt64BE(0) % SPACE;
  return `${kind === 'psid' ? '6' : '7'}${n.toString().padStart(16, '0')}`;
}
