import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  addTeamMember,
  assignConversation,
  changeConversationStatus,
  createCannedResponse,
  createLabel,
  createTeam,
  deleteCannedResponse,
  deleteLabel,
  deleteTeam,
  getInboxSettings,
  getMyAvailability,
  labelConversation,
  listCannedResponses,
  listLabels,
  listTeams,
  removeTeamMember,
  renameTeam,
  setMyAvailability,
  unlabelConversation,
  updateCannedResponse,
  updateInboxSettings,
  updateLabel,
} from '@parley/core';
import { conversationStoresFor, type AppContext } from '../app-context.ts';
import { inboxStoresFor } from '../inbox-stores.ts';
import { withWorkspace, type WorkspaceContext } from '../http/request-auth.ts';
import { errorResponses, NoContent, strict, Timestamp, Uuid } from '../http/schemas.ts';
import {
  AvailabilityView,
  CannedBody,
  CannedResponseView,
  cannedResponseView,
  CannedTitle,
  ConversationStateView,
  conversationStateView,
  ConversationStatusSchema,
  InboxSettingsView,
  inboxSettingsView,
  LabelColor,
  LabelName,
  LabelView,
  labelView,
  Shortcut,
  TeamName,
  TeamView,
  teamView,
} from '../http/inbox-views.ts';

const NullableUuid = Type.Union([Uuid, Type.Null()]);

/**
 * The team inbox: assignment and round-robin availability, status (resolve, reopen, snooze),
 * labels, teams and canned responses. Managing labels, teams, canned responses and
 * auto-assignment needs `inbox.manage`; working conversations needs `conversations.write`.
 */
export function inboxRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const auth = { auth: 'workspace' } as const;
    /** The conversation stores, the inbox stores and the members lookup, in the request's transaction. */
    const depsOf = ({ tx, stores, workspace }: WorkspaceContext) => ({
      ...conversationStoresFor(ctx, tx, workspace.id),
      ...inboxStoresFor(tx, workspace.id),
      workspaces: stores.workspaces,
    });

    // ---- Assignment and status -------------------------------------------------------------

    const ConversationParams = Type.Object({ conversationId: Uuid }, strict);

    app.post(
      '/conversations/:conversationId/assign',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Assign a conversation to a member (or nobody), optionally with a team',
          params: ConversationParams,
          body: Type.Object(
            {
              assigneeId: NullableUuid,
              teamId: Type.Optional(NullableUuid),
            },
            strict,
          ),
          response: { 200: ConversationStateView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) =>
          conversationStateView(
            await assignConversation(depsOf(w), w.actor, {
              conversationId: req.params.conversationId,
              assigneeId: req.body.assigneeId,
              ...(req.body.teamId !== undefined ? { teamId: req.body.teamId } : {}),
            }),
          ),
        ),
    );

    app.post(
      '/conversations/:conversationId/status',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Resolve, reopen, set pending or snooze a conversation',
          description:
            '`snoozedUntil` is required with `snoozed` and must be in the future; the conversation reopens then, or when the customer writes.',
          params: ConversationParams,
          body: Type.Object(
            { status: ConversationStatusSchema, snoozedUntil: Type.Optional(Timestamp) },
            strict,
          ),
          response: { 200: ConversationStateView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) =>
          conversationStateView(
            await changeConversationStatus(depsOf(w), w.actor, {
              conversationId: req.params.conversationId,
              status: req.body.status,
              ...(req.body.snoozedUntil !== undefined
                ? { snoozedUntil: new Date(req.body.snoozedUntil) }
                : {}),
            }),
          ),
        ),
    );

    const ConversationLabelParams = Type.Object({ conversationId: Uuid, labelId: Uuid }, strict);

    app.put(
      '/conversations/:conversationId/labels/:labelId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Put a label on a conversation (idempotent)',
          params: ConversationLabelParams,
          response: { 200: ConversationStateView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) =>
          conversationStateView(await labelConversation(depsOf(w), w.actor, req.params)),
        ),
    );

    app.delete(
      '/conversations/:conversationId/labels/:labelId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Take a label off a conversation (idempotent)',
          params: ConversationLabelParams,
          response: { 200: ConversationStateView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) =>
          conversationStateView(await unlabelConversation(depsOf(w), w.actor, req.params)),
        ),
    );

    // ---- Availability and auto-assignment --------------------------------------------------

    app.get(
      '/me/availability',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Whether you take part in round-robin assignment',
          response: { 200: AvailabilityView, ...errorResponses },
        },
      },
      async (req) => withWorkspace(ctx, req, async (w) => getMyAvailability(depsOf(w), w.actor)),
    );

    app.put(
      '/me/availability',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Take yourself out of (or back into) round-robin assignment',
          body: Type.Object({ available: Type.Boolean() }, strict),
          response: { 200: AvailabilityView, ...errorResponses },
        },
      },
      async (req) => withWorkspace(ctx, req, async (w) => setMyAvailability(depsOf(w), w.actor, req.body)),
    );

    app.get(
      '/inbox-settings',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Inbox settings (auto-assignment)',
          response: { 200: InboxSettingsView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) => inboxSettingsView(await getInboxSettings(depsOf(w), w.actor))),
    );

    app.patch(
      '/inbox-settings',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Turn round-robin auto-assignment of new conversations on or off',
          body: Type.Object({ autoAssign: Type.Optional(Type.Boolean()) }, strict),
          response: { 200: InboxSettingsView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) =>
          inboxSettingsView(await updateInboxSettings(depsOf(w), w.actor, { ...req.body, ip: req.ip })),
        ),
    );

    // ---- Labels ----------------------------------------------------------------------------

    const LabelParams = Type.Object({ labelId: Uuid }, strict);

    app.get(
      '/labels',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Labels of the workspace',
          response: { 200: Type.Object({ items: Type.Array(LabelView) }), ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) => ({
          items: (await listLabels(depsOf(w), w.actor)).map(labelView),
        })),
    );

    app.post(
      '/labels',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Create a label (names are unique, ignoring case)',
          body: Type.Object({ name: LabelName, color: Type.Optional(LabelColor) }, strict),
          response: { 201: LabelView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const label = await withWorkspace(ctx, req, (w) =>
          createLabel(depsOf(w), w.actor, { ...req.body, ip: req.ip }),
        );
        return reply.status(201).send(labelView(label));
      },
    );

    app.patch(
      '/labels/:labelId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Rename or recolor a label',
          params: LabelParams,
          body: Type.Object({ name: Type.Optional(LabelName), color: Type.Optional(LabelColor) }, strict),
          response: { 200: LabelView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) =>
          labelView(
            await updateLabel(depsOf(w), w.actor, { ...req.body, labelId: req.params.labelId, ip: req.ip }),
          ),
        ),
    );

    app.delete(
      '/labels/:labelId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Delete a label (it comes off every conversation)',
          params: LabelParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, (w) =>
          deleteLabel(depsOf(w), w.actor, { labelId: req.params.labelId, ip: req.ip }),
        );
        return reply.status(204).send(null);
      },
    );

    // ---- Teams -----------------------------------------------------------------------------

    const TeamParams = Type.Object({ teamId: Uuid }, strict);
    const TeamMemberParams = Type.Object({ teamId: Uuid, userId: Uuid }, strict);

    app.get(
      '/teams',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: "Teams of the workspace with their members' user ids",
          response: { 200: Type.Object({ items: Type.Array(TeamView) }), ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) => ({
          items: (await listTeams(depsOf(w), w.actor)).map(teamView),
        })),
    );

    app.post(
      '/teams',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Create a team',
          body: Type.Object({ name: TeamName }, strict),
          response: { 201: TeamView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const team = await withWorkspace(ctx, req, (w) =>
          createTeam(depsOf(w), w.actor, { name: req.body.name, ip: req.ip }),
        );
        return reply.status(201).send(teamView(team));
      },
    );

    app.patch(
      '/teams/:teamId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Rename a team',
          params: TeamParams,
          body: Type.Object({ name: TeamName }, strict),
          response: { 200: TeamView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) =>
          teamView(
            await renameTeam(depsOf(w), w.actor, {
              teamId: req.params.teamId,
              name: req.body.name,
              ip: req.ip,
            }),
          ),
        ),
    );

    app.delete(
      '/teams/:teamId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Delete a team (its conversations keep their assignee and lose the team)',
          params: TeamParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, (w) =>
          deleteTeam(depsOf(w), w.actor, { teamId: req.params.teamId, ip: req.ip }),
        );
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/teams/:teamId/members/:userId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Add a member of the workspace to a team (idempotent)',
          params: TeamMemberParams,
          response: { 200: TeamView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) =>
          teamView(await addTeamMember(depsOf(w), w.actor, { ...req.params, ip: req.ip })),
        ),
    );

    app.delete(
      '/teams/:teamId/members/:userId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Take someone off a team (idempotent)',
          params: TeamMemberParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, (w) =>
          removeTeamMember(depsOf(w), w.actor, { ...req.params, ip: req.ip }),
        );
        return reply.status(204).send(null);
      },
    );

    // ---- Canned responses ------------------------------------------------------------------

    const CannedParams = Type.Object({ cannedResponseId: Uuid }, strict);

    app.get(
      '/canned-responses',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Canned responses by shortcut; `q` keeps the shortcuts that start with it',
          querystring: Type.Object(
            { q: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{0,32}$' })) },
            strict,
          ),
          response: { 200: Type.Object({ items: Type.Array(CannedResponseView) }), ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) => ({
          items: (
            await listCannedResponses(depsOf(w), w.actor, {
              ...(req.query.q !== undefined ? { q: req.query.q } : {}),
            })
          ).map(cannedResponseView),
        })),
    );

    app.post(
      '/canned-responses',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Create a canned response (shortcuts are unique)',
          body: Type.Object({ shortcut: Shortcut, title: CannedTitle, body: CannedBody }, strict),
          response: { 201: CannedResponseView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const response = await withWorkspace(ctx, req, (w) =>
          createCannedResponse(depsOf(w), w.actor, { ...req.body, ip: req.ip }),
        );
        return reply.status(201).send(cannedResponseView(response));
      },
    );

    app.patch(
      '/canned-responses/:cannedResponseId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Change a canned response',
          params: CannedParams,
          body: Type.Object(
            {
              shortcut: Type.Optional(Shortcut),
              title: Type.Optional(CannedTitle),
              body: Type.Optional(CannedBody),
            },
            strict,
          ),
          response: { 200: CannedResponseView, ...errorResponses },
        },
      },
      async (req) =>
        withWorkspace(ctx, req, async (w) =>
          cannedResponseView(
            await updateCannedResponse(depsOf(w), w.actor, {
              ...req.body,
              cannedResponseId: req.params.cannedResponseId,
              ip: req.ip,
            }),
          ),
        ),
    );

    app.delete(
      '/canned-responses/:cannedResponseId',
      {
        config: auth,
        schema: {
          tags: ['inbox'],
          summary: 'Delete a canned response',
          params: CannedParams,
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withWorkspace(ctx, req, (w) =>
          deleteCannedResponse(depsOf(w), w.actor, {
            cannedResponseId: req.params.cannedResponseId,
            ip: req.ip,
          }),
        );
        return reply.status(204).send(null);
      },
    );
  };
}
