import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  acceptInvitation,
  changeMemberRole,
  createApiKey,
  getWorkspaceSettings,
  grantSupportAccess,
  inviteMember,
  listApiKeys,
  listAuditLog,
  listInvitations,
  listMembers,
  listSupportGrants,
  newId,
  previewInvitation,
  removeMember,
  revokeApiKey,
  revokeInvitation,
  revokeSupportGrant,
  updateWorkspaceSettings,
  verifyWorkspaceAuditLog,
  workspaceOfToken,
} from '@parley/core';
import { storesFor, type AppContext } from '../app-context.ts';
import { sessionToken, withUser, withWorkspace } from '../http/request-auth.ts';
import {
  ApiKeyView,
  AuditEntryView,
  Email,
  errorResponses,
  InvitationView,
  MemberView,
  NoContent,
  PageQuery,
  Password,
  RoleSchema,
  strict,
  SupportGrantView,
  Uuid,
  WorkspaceView,
} from '../http/schemas.ts';
import {
  apiKeyView,
  auditEntryView,
  invitationView,
  memberView,
  supportGrantView,
  workspaceView,
} from '../http/views.ts';

export function workspaceRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const auth = { auth: 'workspace' } as const;

    app.get(
      '/workspace',
      {
        config: auth,
        schema: {
          tags: ['workspace'],
          summary: 'The current workspace',
          response: { 200: WorkspaceView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ actor, workspace }) =>
          workspaceView(getWorkspaceSettings(actor, workspace)),
        ),
    );

    app.patch(
      '/workspace',
      {
        config: auth,
        schema: {
          tags: ['workspace'],
          summary: 'Rename the workspace or enforce 2FA for its members',
          body: Type.Object(
            {
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              require2fa: Type.Optional(Type.Boolean()),
            },
            strict,
          ),
          response: { 200: WorkspaceView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ stores, actor, workspace }) =>
          workspaceView(await updateWorkspaceSettings(stores, actor, workspace, { ...req.body, ip: req.ip })),
        ),
    );

    app.get(
      '/members',
      {
        config: auth,
        schema: {
          tags: ['members'],
          summary: 'Members and their roles',
          response: { 200: Type.Object({ items: Type.Array(MemberView) }), ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ stores, actor }) => ({
          items: (await listMembers(stores, actor)).map(memberView),
        })),
    );

    app.patch(
      '/members/:userId',
      {
        config: auth,
        schema: {
          tags: ['members'],
          summary: "Change a member's role",
          params: Type.Object({ userId: Uuid }, strict),
          body: Type.Object({ role: RoleSchema }, strict),
          response: { 200: MemberView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ stores, actor }) =>
          memberView(
            await changeMemberRole(stores, actor, {
              userId: req.params.userId,
              role: req.body.role,
              ip: req.ip,
            }),
          ),
        ),
    );

    app.delete(
      '/members/:userId',
      {
        config: auth,
        schema: {
          tags: ['members'],
          summary: 'Remove a member (ends all of their sessions)',
          params: Type.Object({ userId: Uuid }, strict),
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, ({ stores, actor }) =>
          removeMember(stores, actor, { userId: req.params.userId, ip: req.ip }),
        );
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/invitations',
      {
        config: auth,
        schema: {
          tags: ['members'],
          summary: 'Pending invitations',
          response: { 200: Type.Object({ items: Type.Array(InvitationView) }), ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ stores, actor }) => ({
          items: (await listInvitations(stores, actor)).map(invitationView),
        })),
    );

    app.post(
      '/invitations',
      {
        config: auth,
        schema: {
          tags: ['members'],
          summary: 'Invite someone by email; returns the invitation link (shown once)',
          body: Type.Object({ email: Email, role: RoleSchema }, strict),
          response: {
            201: Type.Object({ invitation: InvitationView, token: Type.String(), url: Type.String() }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const result = await withWorkspace(ctx, req, ({ stores, actor }) =>
          inviteMember(stores, actor, { ...req.body, ip: req.ip }),
        );
        return reply.status(201).send({
          invitation: invitationView(result.invitation),
          token: result.token,
          url: `${ctx.config.publicUrl}/invite#token=${result.token}`,
        });
      },
    );

    app.delete(
      '/invitations/:invitationId',
      {
        config: auth,
        schema: {
          tags: ['members'],
          summary: 'Revoke a pending invitation',
          params: Type.Object({ invitationId: Uuid }, strict),
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, ({ stores, actor }) =>
          revokeInvitation(stores, actor, { invitationId: req.params.invitationId, ip: req.ip }),
        );
        return reply.status(204).send(null);
      },
    );

    const InvitationToken = Type.String({ minLength: 40, maxLength: 200 });

    app.post(
      '/invitations/preview',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['members'],
          summary: 'What an invitation token is for (workspace name, email, role, whether an account exists)',
          body: Type.Object({ token: InvitationToken }, strict),
          response: {
            200: Type.Object({
              workspaceName: Type.String(),
              email: Type.String(),
              role: RoleSchema,
              accountExists: Type.Boolean(),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const workspaceId = workspaceOfToken('inv', req.body.token);
        return ctx.db.run({ workspaceId }, (tx) => previewInvitation(storesFor(ctx, tx), req.body.token));
      },
    );

    app.post(
      '/invitations/accept',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['members'],
          summary:
            'Accept an invitation: create an account (name + password), or join while signed in as the invited email',
          body: Type.Object(
            {
              token: InvitationToken,
              name: Type.Optional(Type.String({ maxLength: 200 })),
              password: Type.Optional(Password),
            },
            strict,
          ),
          response: {
            200: Type.Object({ workspaceId: Uuid, createdAccount: Type.Boolean() }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const workspaceId = workspaceOfToken('inv', req.body.token);
        const token = sessionToken(req);
        const signedInUserId = token
          ? await withUser(ctx, req, async ({ user }) => user.id).catch(() => null)
          : null;
        const result = await ctx.db.run({ workspaceId }, async (tx) => {
          const stores = storesFor(ctx, tx);
          return acceptInvitation(stores, { ...req.body, signedInUserId, newUserId: newId(), ip: req.ip });
        });
        return { workspaceId: result.workspaceId, createdAccount: result.createdAccount };
      },
    );

    app.get(
      '/api-keys',
      {
        config: auth,
        schema: {
          tags: ['api keys'],
          summary: 'API keys of the workspace',
          response: { 200: Type.Object({ items: Type.Array(ApiKeyView) }), ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ stores, actor }) => ({
          items: (await listApiKeys(stores, actor)).map(apiKeyView),
        })),
    );

    app.post(
      '/api-keys',
      {
        config: auth,
        schema: {
          tags: ['api keys'],
          summary: 'Create an API key with a role; the key is shown this once',
          body: Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleSchema },
            strict,
          ),
          response: { 201: Type.Object({ apiKey: ApiKeyView, token: Type.String() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const result = await withWorkspace(ctx, req, ({ stores, actor }) =>
          createApiKey(stores, actor, { ...req.body, ip: req.ip }),
        );
        return reply.status(201).send({ apiKey: apiKeyView(result.key), token: result.token });
      },
    );

    app.delete(
      '/api-keys/:apiKeyId',
      {
        config: auth,
        schema: {
          tags: ['api keys'],
          summary: 'Revoke an API key',
          params: Type.Object({ apiKeyId: Uuid }, strict),
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, ({ stores, actor }) =>
          revokeApiKey(stores, actor, { apiKeyId: req.params.apiKeyId, ip: req.ip }),
        );
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/audit-log',
      {
        config: auth,
        schema: {
          tags: ['audit'],
          summary: 'The workspace audit log, newest first',
          querystring: PageQuery,
          response: {
            200: Type.Object({
              items: Type.Array(AuditEntryView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ stores, actor }) => {
          const page = await listAuditLog(stores, actor, {
            cursor: req.query.cursor,
            limit: req.query.limit ?? 50,
          });
          return { items: page.items.map(auditEntryView), nextCursor: page.nextCursor };
        }),
    );

    app.post(
      '/audit-log/verify',
      {
        config: auth,
        schema: {
          tags: ['audit'],
          summary: "Verify the workspace audit log's hash chain",
          response: {
            200: Type.Object({
              ok: Type.Boolean(),
              count: Type.Optional(Type.Integer()),
              brokenAtSeq: Type.Optional(Type.Integer()),
              reason: Type.Optional(Type.String()),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ stores, actor }) => {
          const result = await verifyWorkspaceAuditLog(stores, actor);
          return result.ok
            ? { ok: true, count: result.count }
            : { ok: false, brokenAtSeq: result.seq, reason: result.reason };
        }),
    );

    app.get(
      '/support-access',
      {
        config: auth,
        schema: {
          tags: ['support access'],
          summary: 'Support access granted to the platform operator',
          response: { 200: Type.Object({ items: Type.Array(SupportGrantView) }), ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async ({ stores, actor }) => ({
          items: (await listSupportGrants(stores, actor)).map(supportGrantView),
        })),
    );

    app.post(
      '/support-access',
      {
        config: auth,
        schema: {
          tags: ['support access'],
          summary: 'Let the platform operator into this workspace for a limited time (every use is audited)',
          body: Type.Object(
            {
              hours: Type.Integer({ minimum: 1, maximum: 72 }),
              role: Type.Union([Type.Literal('agent'), Type.Literal('admin')]),
              reason: Type.String({ minLength: 1, maxLength: 500 }),
            },
            strict,
          ),
          response: { 201: SupportGrantView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const grant = await withWorkspace(ctx, req, ({ stores, actor }) =>
          grantSupportAccess(stores, actor, { ...req.body, ip: req.ip }),
        );
        return reply.status(201).send(supportGrantView(grant));
      },
    );

    app.delete(
      '/support-access/:grantId',
      {
        config: auth,
        schema: {
          tags: ['support access'],
          summary: 'End a support grant now',
          params: Type.Object({ grantId: Uuid }, strict),
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, ({ stores, actor }) =>
          revokeSupportGrant(stores, actor, { grantId: req.params.grantId, ip: req.ip }),
        );
        return reply.status(204).send(null);
      },
    );
  };
}
