import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  newId,
  operatorCreateWorkspace,
  operatorListWorkspaces,
  operatorUpdateWorkspace,
  requireOperator,
} from '@parley/core';
import { storesFor, type AppContext } from '../app-context.ts';
import { withUser } from '../http/request-auth.ts';
import {
  Email,
  errorResponses,
  PageQuery,
  PlanSchema,
  strict,
  Uuid,
  WorkspaceView,
} from '../http/schemas.ts';
import { workspaceView } from '../http/views.ts';

/** The platform operator (agency): workspaces and plans, never their conversations or contacts. */
export function operatorRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const config = { auth: 'operator' } as const;
    const tags = ['operator'];

    app.get(
      '/workspaces',
      {
        config,
        schema: {
          tags,
          summary: 'Every workspace on this install',
          querystring: PageQuery,
          response: {
            200: Type.Object({
              items: Type.Array(WorkspaceView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) =>
        withUser(
          ctx,
          req,
          async ({ stores, user }) => {
            const page = await operatorListWorkspaces(stores, user, {
              cursor: req.query.cursor,
              limit: req.query.limit ?? 50,
            });
            return { items: page.items.map(workspaceView), nextCursor: page.nextCursor };
          },
          { operator: true },
        ),
    );

    app.post(
      '/workspaces',
      {
        config,
        schema: {
          tags,
          summary: 'Create a client workspace and invite its owner (the link is shown once)',
          body: Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 200 }), plan: PlanSchema, ownerEmail: Email },
            strict,
          ),
          response: {
            201: Type.Object({ workspace: WorkspaceView, ownerInvitationUrl: Type.String() }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const operator = await withUser(ctx, req, async ({ user }) => (requireOperator(user), user));
        const workspaceId = newId();
        const result = await ctx.db.run({ workspaceId, userId: operator.id, operator: true }, async (tx) => {
          const stores = storesFor(ctx, tx);
          const created = await operatorCreateWorkspace(stores, operator, {
            workspaceId,
            ...req.body,
            ip: req.ip,
          });
          const ws = await stores.workspaces.getWorkspace(workspaceId);
          if (!ws) throw new Error('workspace vanished after creation');
          return { ...created, ws };
        });
        return reply.status(201).send({
          workspace: workspaceView(result.ws),
          ownerInvitationUrl: `${ctx.config.publicUrl}/invite#token=${result.invitationToken}`,
        });
      },
    );

    app.patch(
      '/workspaces/:workspaceId',
      {
        config,
        schema: {
          tags,
          summary: "Change a workspace's plan or suspend / reactivate it",
          params: Type.Object({ workspaceId: Uuid }, strict),
          body: Type.Object(
            {
              plan: Type.Optional(PlanSchema),
              status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
            },
            strict,
          ),
          response: { 200: WorkspaceView, ...errorResponses },
        },
      },
      async (req) => {
        const operator = await withUser(ctx, req, async ({ user }) => (requireOperator(user), user));
        const { workspaceId } = req.params;
        return ctx.db.run({ workspaceId, userId: operator.id, operator: true }, async (tx) => {
          const stores = storesFor(ctx, tx);
          return workspaceView(
            await operatorUpdateWorkspace(stores, operator, { workspaceId, ...req.body, ip: req.ip }),
          );
        });
      },
    );
  };
}
