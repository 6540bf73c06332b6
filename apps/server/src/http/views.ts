import type {
  ApiKeyRecord,
  AuditEntry,
  InvitationRecord,
  MemberRecord,
  SessionRecord,
  SupportGrantRecord,
  UserRecord,
  WorkspaceRecord,
} from '@parley/core';

/** Records → API views: only the fields a client may see, dates as ISO strings. */
const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export const userView = (u: UserRecord) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  twoFactorEnabled: u.totpEnabledAt !== null,
  isOperator: u.isOperator,
});

export const workspaceView = (w: WorkspaceRecord) => ({ ...w, createdAt: iso(w.createdAt) });

export const memberView = (m: MemberRecord) => ({
  userId: m.userId,
  email: m.email,
  name: m.name,
  role: m.role,
  twoFactorEnabled: m.twoFactorEnabled,
  createdAt: iso(m.createdAt),
});

export const invitationView = (
  i: Pick<InvitationRecord, 'id' | 'email' | 'role' | 'expiresAt'> & { createdAt?: Date },
) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  expiresAt: iso(i.expiresAt),
  createdAt: iso(i.createdAt ?? new Date()),
});

export const apiKeyView = (k: ApiKeyRecord) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  prefix: k.prefix,
  createdAt: iso(k.createdAt),
  lastUsedAt: isoOrNull(k.lastUsedAt),
});

export const supportGrantView = (g: SupportGrantRecord) => ({
  id: g.id,
  role: g.role,
  reason: g.reason,
  expiresAt: iso(g.expiresAt),
  revokedAt: isoOrNull(g.revokedAt),
  createdAt: iso(g.createdAt),
});

export const sessionView = (s: SessionRecord, currentId: string) => ({
  id: s.id,
  current: s.id === currentId,
  createdAt: iso(s.createdAt),
  lastSeenAt: iso(s.lastSeenAt),
  ip: s.ip,
  userAgent: s.userAgent,
});

export const auditEntryView = (e: AuditEntry) => ({
  seq: e.seq,
  occurredAt: iso(e.occurredAt),
  actorType: e.actorType,
  actorId: e.actorId,
  action: e.action,
  targetType: e.targetType,
  targetId: e.targetId,
  outcome: e.outcome,
  ip: e.ip,
  metadata: e.metadata,
  hash: e.hash,
});
