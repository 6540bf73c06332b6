import { Type } from 'typebox';
import type {
  CannedResponseRecord,
  ConversationRecord,
  InboxSettings,
  LabelRecord,
  TeamRecord,
} from '@parley/core';
import { NullableTimestamp, Timestamp, Uuid } from './schemas.ts';

/** API shapes and views of the team inbox (labels, teams, canned responses, assignment, status). */

export const LabelColor = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: '#rrggbb' });
export const LabelName = Type.String({ minLength: 1, maxLength: 64 });
export const TeamName = Type.String({ minLength: 1, maxLength: 100 });
export const Shortcut = Type.String({
  pattern: '^[a-z0-9_-]{1,32}$',
  description: 'Typed after `/` in the composer',
});
export const CannedTitle = Type.String({ minLength: 1, maxLength: 200 });
export const CannedBody = Type.String({ minLength: 1, maxLength: 4096 });
export const ConversationStatusSchema = Type.Union([
  Type.Literal('open'),
  Type.Literal('pending'),
  Type.Literal('snoozed'),
  Type.Literal('resolved'),
]);

export const LabelView = Type.Object({
  id: Uuid,
  name: Type.String(),
  color: Type.String(),
  createdAt: Timestamp,
});

export const TeamView = Type.Object({
  id: Uuid,
  name: Type.String(),
  memberIds: Type.Array(Uuid),
  createdAt: Timestamp,
});

export const CannedResponseView = Type.Object({
  id: Uuid,
  shortcut: Type.String(),
  title: Type.String(),
  body: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const InboxSettingsView = Type.Object({
  autoAssign: Type.Boolean({ description: 'New conversations go round-robin to available agents' }),
});

export const AvailabilityView = Type.Object({
  available: Type.Boolean({ description: 'Whether round-robin assignment gives you new conversations' }),
});

/** The triage state of a conversation (what assignment, status and labels change). */
export const ConversationStateView = Type.Object({
  id: Uuid,
  status: ConversationStatusSchema,
  assigneeId: Type.Union([Uuid, Type.Null()]),
  teamId: Type.Union([Uuid, Type.Null()]),
  snoozedUntil: NullableTimestamp,
  labelIds: Type.Array(Uuid),
  updatedAt: Timestamp,
});

const iso = (d: Date) => d.toISOString();

export const labelView = (l: LabelRecord) => ({
  id: l.id,
  name: l.name,
  color: l.color,
  createdAt: iso(l.createdAt),
});

export const teamView = (t: TeamRecord) => ({
  id: t.id,
  name: t.name,
  memberIds: t.memberIds,
  createdAt: iso(t.createdAt),
});

export const cannedResponseView = (r: CannedResponseRecord) => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  body: r.body,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

export const inboxSettingsView = (s: InboxSettings) => ({ autoAssign: s.autoAssign });

export const conversationStateView = (c: ConversationRecord) => ({
  id: c.id,
  status: c.status,
  assigneeId: c.assigneeId,
  teamId: c.teamId,
  snoozedUntil: c.snoozedUntil ? iso(c.snoozedUntil) : null,
  labelIds: c.labelIds,
  updatedAt: iso(c.updatedAt),
});
