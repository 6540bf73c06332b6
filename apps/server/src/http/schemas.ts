import { Type, type Static } from 'typebox';
import { PLANS, ROLES } from '@parley/core';

/** API shapes: validated on the way in, serialized (nothing extra leaks) on the way out, published as OpenAPI. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code' }),
      message: Type.String({ description: 'Safe, human-readable message' }),
      errorId: Type.String({ description: 'Quote this when reporting a problem; it is in the server log' }),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'ErrorResponse' },
);

export const Uuid = Type.String({ format: 'uuid' });
export const RoleSchema = Type.Union([
  Type.Literal('analyst'),
  Type.Literal('agent'),
  Type.Literal('admin'),
  Type.Literal('owner'),
]) satisfies { anyOf: { const: (typeof ROLES)[number] }[] };
export const PlanSchema = Type.Union([
  Type.Literal('free'),
  Type.Literal('starter'),
  Type.Literal('pro'),
  Type.Literal('enterprise'),
]) satisfies { anyOf: { const: (typeof PLANS)[number] }[] };
export const Email = Type.String({ minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 1, maxLength: 1024 });
export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const strict = { additionalProperties: false } as const;

export const UserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  twoFactorEnabled: Type.Boolean(),
  isOperator: Type.Boolean(),
});

export const MembershipView = Type.Object({
  workspaceId: Uuid,
  workspaceName: Type.String(),
  role: RoleSchema,
});

export const WorkspaceView = Type.Object({
  id: Uuid,
  name: Type.String(),
  plan: PlanSchema,
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  require2fa: Type.Boolean(),
  createdAt: Timestamp,
});

export const MemberView = Type.Object({
  userId: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  twoFactorEnabled: Type.Boolean(),
  createdAt: Timestamp,
});

export const InvitationView = Type.Object({
  id: Uuid,
  email: Type.String(),
  role: RoleSchema,
  expiresAt: Timestamp,
  createdAt: Timestamp,
});

export const ApiKeyView = Type.Object({
  id: Uuid,
  name: Type.String(),
  role: RoleSchema,
  prefix: Type.String({ description: 'First characters of the key, to recognise it' }),
  createdAt: Timestamp,
  lastUsedAt: NullableTimestamp,
});

export const SupportGrantView = Type.Object({
  id: Uuid,
  role: RoleSchema,
  reason: Type.String(),
  expiresAt: Timestamp,
  revokedAt: NullableTimestamp,
  createdAt: Timestamp,
});

export const SessionView = Type.Object({
  id: Uuid,
  current: Type.Boolean(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
});

export const AuditEntryView = Type.Object({
  seq: Type.Integer(),
  occurredAt: Timestamp,
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  ip: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String(),
});

export const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 2048 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  strict,
);

export const NoContent = Type.Null({ description: 'No content' });

export type UserViewT = Static<typeof UserView>;

/** Standard error responses every route may give. */
export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  413: ErrorResponse,
  415: ErrorResponse,
  429: ErrorResponse,
};
