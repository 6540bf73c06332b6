/**
 * The cross-tenant harness. Workspaces A and B live on one install; B's owner (a session) and
 * B's admin API key try every route against A's objects. Every route in `app.registeredRoutes`
 * must have an entry in CASES (a route without a cross-tenant test is a bug), and every entry
 * must name a route that exists.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RegisteredRoute } from '../src/app.ts';
import type { RouteAuth } from '../src/http/request-auth.ts';
import { conversationStoresFor } from '../src/app-context.ts';
import { newId, wrappedKeyMasterId } from '@parley/core';
import { dataKeyRepository, mediaRepository, webhookEventRepository } from '@parley/db';
import { seedChannel, seedInbound } from './helpers/conversations.ts';
import { addApiKey, addMember, PASSWORD, signIn, signUpOwner, uniqueEmail } from './helpers/factories.ts';
import { HttpClient, type Response } from './helpers/http-client.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

/** Routes served by @fastify/swagger-ui (the interactive docs page and its static files): no tenant data. */
const isDocsRoute = (r: RegisteredRoute) => r.url === '/api/docs' || r.url.startsWith('/api/docs/');
/** The web app's files and its SPA fallback (apps/server/src/http/web-app.ts): the same static HTML/JS for everyone. */
const isWebAppRoute = (r: RegisteredRoute) => r.method === 'GET' && r.url === '/*';

type Client = HttpClient & { email: string };

interface World {
  operator: Client;
  a: {
    owner: Client;
    agent: Client;
    apiKey: HttpClient;
    workspaceId: string;
    workspaceName: string;
    ownerId: string;
    agentId: string;
    invitationId: string;
    invitationToken: string;
    apiKeyId: string;
    grantId: string;
    ownerSessionId: string;
    agentSessionId: string;
    channelId: string;
    contactId: string;
    contactFieldId: string;
    conversationId: string;
    labelId: string;
    teamId: string;
    cannedResponseId: string;
    messageId: string;
    mediaId: string;
    deadLetterId: string;
  };
  b: { owner: Client; key: HttpClient; self: Client; workspaceId: string };
}

interface Req {
  url: string;
  body?: unknown;
}

type Case =
  /** No tenant object: anyone may call it; `reason` says why, `check` proves what can be proved. */
  | { kind: 'public'; reason: string; check?: (w: World) => Promise<void> }
  /** Acts on the caller's own account, found from the session; the request names no object. */
  | { kind: 'self'; reason: string; body?: unknown }
  /** A user-level route that names an object of one user (a session): B must not reach A's. */
  | { kind: 'user-object'; request: (w: World) => Req }
  /**
   * A workspace route. With `X-Workspace-Id: <A>` B always gets 404. In B's own scope:
   * `object-of-a` — the request names A's objects and must get 404; `listing` — the answer
   * holds none of A's ids; `none` — the request names no object (B acting on B).
   */
  | { kind: 'workspace'; ownScope: 'object-of-a' | 'listing' | 'none'; request: (w: World) => Req }
  /** Platform operator routes: B's owner is not an operator. */
  | { kind: 'operator'; request: (w: World) => Req };

const CASES: Record<string, Case> = {
  'GET /healthz': { kind: 'public', reason: 'liveness probe; answers {status:"ok"} and reads no data' },
  'GET /metrics': {
    kind: 'public',
    reason: 'process metrics labelled by route pattern and status, never by workspace or object id',
    check: async (w) => {
      const res = await new HttpClient(w.a.owner.app).get('/metrics');
      assert.equal(res.status, 200);
      assertNoAData(w, res, 'metrics');
    },
  },
  'GET /api/openapi.json': { kind: 'public', reason: 'the static API description; no data' },
  'POST /api/v1/auth/signup': {
    kind: 'public',
    reason: 'creates a new user and a new workspace; names no existing object',
    check: async (w) => {
      const fresh = await signUpOwner(w.a.owner.app);
      const me = await fresh.get('/api/v1/auth/me');
      assert.equal(me.body.workspaces.length, 1);
      assert.notEqual(me.body.workspaces[0].workspaceId, w.a.workspaceId);
      assertNoAData(w, me, 'new sign-up');
    },
  },
  'POST /api/v1/auth/login': {
    kind: 'public',
    reason: 'authenticates by email and password; a user sees only their own memberships',
    check: async (w) => {
      const res = await new HttpClient(w.a.owner.app).post('/api/v1/auth/login', {
        email: w.b.owner.email,
        password: PASSWORD,
      });
      assert.equal(res.status, 200);
      assertNoAData(w, res, 'B login');
    },
  },
  'POST /api/v1/auth/login/2fa': {
    kind: 'self',
    reason: "completes the caller's own pending sign-in (the pending session identifies the user)",
    body: { code: '000000' },
  },
  'POST /api/v1/auth/logout': { kind: 'self', reason: "ends the caller's own session only" },
  'GET /api/v1/auth/me': { kind: 'self', reason: 'the caller, their own memberships and CSRF token' },
  'GET /api/v1/auth/sessions': { kind: 'self', reason: "lists the caller's own sessions only" },
  'DELETE /api/v1/auth/sessions/:sessionId': {
    kind: 'user-object',
    request: (w) => ({ url: `/api/v1/auth/sessions/${w.a.ownerSessionId}` }),
  },
  'POST /api/v1/auth/password': {
    kind: 'self',
    reason: "changes the caller's own password",
    body: { currentPassword: 'not the password at all', newPassword: 'another horse battery staple' },
  },
  'POST /api/v1/auth/password-reset': {
    kind: 'public',
    reason:
      'per user, not per workspace; the same 202 whether or not the account exists, the link goes to its owner',
    check: async (w) => {
      const anon = new HttpClient(w.a.owner.app);
      const known = await anon.post('/api/v1/auth/password-reset', { email: w.a.owner.email });
      const unknown = await anon.post('/api/v1/auth/password-reset', { email: uniqueEmail('nobody') });
      assert.equal(known.status, 202);
      assert.equal(unknown.status, 202);
      assert.equal(known.raw.body, unknown.raw.body);
    },
  },
  'POST /api/v1/auth/password-reset/confirm': {
    kind: 'public',
    reason: 'a reset token belongs to one user, not to a workspace; a wrong token changes nothing',
    check: async (w) => {
      const res = await new HttpClient(w.a.owner.app).post('/api/v1/auth/password-reset/confirm', {
        token: `${w.a.invitationToken}`,
        newPassword: 'a brand new horse battery',
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'invalid_token');
    },
  },
  'POST /api/v1/auth/2fa/setup': {
    kind: 'self',
    reason: "starts TOTP enrolment for the caller's own account",
  },
  'POST /api/v1/auth/2fa/enable': {
    kind: 'self',
    reason: "confirms the caller's own TOTP enrolment",
    body: { code: '000000' },
  },
  'POST /api/v1/auth/2fa/disable': {
    kind: 'self',
    reason: "turns off the caller's own TOTP",
    body: { password: PASSWORD, code: '000000' },
  },
  'POST /api/v1/auth/2fa/recovery-codes': {
    kind: 'self',
    reason: "replaces the caller's own recovery codes",
    body: { code: '000000' },
  },

  'GET /api/v1/workspace': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/workspace' }),
  },
  'PATCH /api/v1/workspace': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({ url: '/api/v1/workspace', body: { name: 'taken over', require2fa: true } }),
  },
  'GET /api/v1/members': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/members' }),
  },
  'PATCH /api/v1/members/:userId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/members/${w.a.agentId}`, body: { role: 'admin' } }),
  },
  'DELETE /api/v1/members/:userId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/members/${w.a.agentId}` }),
  },
  'GET /api/v1/invitations': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/invitations' }),
  },
  'POST /api/v1/invitations': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({ url: '/api/v1/invitations', body: { email: uniqueEmail('intruder'), role: 'admin' } }),
  },
  'DELETE /api/v1/invitations/:invitationId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/invitations/${w.a.invitationId}` }),
  },
  'POST /api/v1/invitations/preview': {
    kind: 'public',
    reason: 'the token is the credential and names its own workspace; a forged token fails',
    check: async (w) => {
      const anon = new HttpClient(w.a.owner.app);
      const genuine = await anon.post('/api/v1/invitations/preview', { token: w.a.invitationToken });
      assert.equal(genuine.status, 200, JSON.stringify(genuine.body));
      assert.equal(genuine.body.workspaceName, w.a.workspaceName);
      for (const token of forgedInvitationTokens(w)) {
        const res = await anon.post('/api/v1/invitations/preview', { token });
        assertError(res, 400, 'invalid_token', `preview of forged ${token.slice(0, 40)}`);
      }
    },
  },
  'POST /api/v1/invitations/accept': {
    kind: 'public',
    reason: 'the token is the credential and joins only the workspace that issued it; a forged token fails',
    check: async (w) => {
      const app = w.a.owner.app;
      const bMembersBefore = await idsOf(w.b.owner, '/api/v1/members', 'userId');
      // Forged: B's workspace hex + A's secret, signed in as B's owner or anonymous.
      await unchangedA(w, async () => {
        for (const token of forgedInvitationTokens(w)) {
          for (const client of [new HttpClient(app), w.b.owner]) {
            const res = await client.post('/api/v1/invitations/accept', {
              token,
              name: 'Forger',
              password: 'forged horse battery staple',
            });
            assertError(res, 400, 'invalid_token', `accept forged ${token.slice(0, 40)}`);
          }
        }
        // B's owner, signed in, cannot take A's invitation that was sent to someone else.
        const stolen = await w.b.owner.post('/api/v1/invitations/accept', { token: w.a.invitationToken });
        assert.ok(stolen.status >= 400 && stolen.status < 500, JSON.stringify(stolen.body));
      });
      // A genuine A invitation joins A, never B.
      const email = uniqueEmail('joiner');
      const inv = await w.a.owner.post('/api/v1/invitations', { email, role: 'agent' });
      assert.equal(inv.status, 201);
      const accepted = await new HttpClient(app).post('/api/v1/invitations/accept', {
        token: inv.body.token,
        name: 'Joiner',
        password: PASSWORD,
      });
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.workspaceId, w.a.workspaceId);
      const joiner = await signIn(app, email);
      const me = await joiner.get('/api/v1/auth/me');
      assert.deepEqual(
        me.body.workspaces.map((m: { workspaceId: string }) => m.workspaceId),
        [w.a.workspaceId],
      );
      assert.deepEqual(await idsOf(w.b.owner, '/api/v1/members', 'userId'), bMembersBefore);
      // Clean up so A looks as before for the other cases.
      const removed = await w.a.owner.delete(`/api/v1/members/${joiner.userId}`);
      assert.equal(removed.status, 204);
    },
  },
  'GET /api/v1/api-keys': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/api-keys' }),
  },
  'POST /api/v1/api-keys': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({ url: '/api/v1/api-keys', body: { name: 'intruder', role: 'admin' } }),
  },
  'DELETE /api/v1/api-keys/:apiKeyId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/api-keys/${w.a.apiKeyId}` }),
  },
  'GET /api/v1/audit-log': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/audit-log?limit=200' }),
  },
  'POST /api/v1/audit-log/verify': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/audit-log/verify' }),
  },
  'GET /api/v1/support-access': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/support-access' }),
  },
  'POST /api/v1/support-access': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({
      url: '/api/v1/support-access',
      body: { hours: 72, role: 'admin', reason: 'let me in' },
    }),
  },
  'DELETE /api/v1/support-access/:grantId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/support-access/${w.a.grantId}` }),
  },
  'GET /api/v1/events': {
    kind: 'workspace',
    ownScope: 'listing',
    // From the start of the log; `once=1` ends the stream after what is there, so it can be read
    // whole. Streams with events of two workspaces: apps/server/test/realtime.test.ts.
    request: () => ({ url: '/api/v1/events?after=0&once=1' }),
  },

  'POST /api/v1/conversations/:conversationId/assign': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({
      url: `/api/v1/conversations/${w.a.conversationId}/assign`,
      body: { assigneeId: w.a.ownerId, teamId: w.a.teamId },
    }),
  },
  'POST /api/v1/conversations/:conversationId/status': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({
      url: `/api/v1/conversations/${w.a.conversationId}/status`,
      body: { status: 'resolved' },
    }),
  },
  'PUT /api/v1/conversations/:conversationId/labels/:labelId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/conversations/${w.a.conversationId}/labels/${w.a.labelId}` }),
  },
  'DELETE /api/v1/conversations/:conversationId/labels/:labelId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/conversations/${w.a.conversationId}/labels/${w.a.labelId}` }),
  },
  'GET /api/v1/me/availability': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/me/availability' }),
  },
  'PUT /api/v1/me/availability': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({ url: '/api/v1/me/availability', body: { available: false } }),
  },
  'GET /api/v1/inbox-settings': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/inbox-settings' }),
  },
  'PATCH /api/v1/inbox-settings': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({ url: '/api/v1/inbox-settings', body: { autoAssign: true } }),
  },
  'GET /api/v1/labels': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/labels' }),
  },
  'POST /api/v1/labels': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({ url: '/api/v1/labels', body: { name: 'intruder' } }),
  },
  'PATCH /api/v1/labels/:labelId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({
      url: `/api/v1/labels/${w.a.labelId}`,
      body: { name: 'taken over', color: '#000000' },
    }),
  },
  'DELETE /api/v1/labels/:labelId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/labels/${w.a.labelId}` }),
  },
  'GET /api/v1/teams': { kind: 'workspace', ownScope: 'listing', request: () => ({ url: '/api/v1/teams' }) },
  'POST /api/v1/teams': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({ url: '/api/v1/teams', body: { name: 'intruders' } }),
  },
  'PATCH /api/v1/teams/:teamId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/teams/${w.a.teamId}`, body: { name: 'taken over' } }),
  },
  'DELETE /api/v1/teams/:teamId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/teams/${w.a.teamId}` }),
  },
  'PUT /api/v1/teams/:teamId/members/:userId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/teams/${w.a.teamId}/members/${w.a.ownerId}` }),
  },
  'DELETE /api/v1/teams/:teamId/members/:userId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/teams/${w.a.teamId}/members/${w.a.agentId}` }),
  },
  'GET /api/v1/canned-responses': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/canned-responses?q=a' }),
  },
  'POST /api/v1/canned-responses': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({
      url: '/api/v1/canned-responses',
      body: { shortcut: 'a-secret', title: 'intruder', body: 'intruder' },
    }),
  },
  'PATCH /api/v1/canned-responses/:cannedResponseId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({
      url: `/api/v1/canned-responses/${w.a.cannedResponseId}`,
      body: { body: 'taken over' },
    }),
  },
  'DELETE /api/v1/canned-responses/:cannedResponseId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/canned-responses/${w.a.cannedResponseId}` }),
  },

  'GET /api/v1/operator/workspaces': {
    kind: 'operator',
    request: () => ({ url: '/api/v1/operator/workspaces' }),
  },
  'POST /api/v1/operator/workspaces': {
    kind: 'operator',
    request: () => ({
      url: '/api/v1/operator/workspaces',
      body: { name: 'rogue', plan: 'enterprise', ownerEmail: uniqueEmail('rogue') },
    }),
  },
  'PATCH /api/v1/operator/workspaces/:workspaceId': {
    kind: 'operator',
    request: (w) => ({
      url: `/api/v1/operator/workspaces/${w.a.workspaceId}`,
      body: { plan: 'enterprise', status: 'suspended' },
    }),
  },

  // Channels and dead letters.
  'GET /api/v1/channels': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/channels' }),
  },
  'POST /api/v1/channels': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({
      url: '/api/v1/channels',
      body: {
        kind: 'whatsapp',
        name: 'takeover',
        accountId: '400000000000001',
        wabaId: '300000000000001',
        appId: '900000000000001',
        appSecret: 'sim-app-secret',
        verifyToken: 'sim-verify-token',
        accessToken: 'sim-access-token',
      },
    }),
  },
  'POST /api/v1/channels/embedded-signup': {
    kind: 'workspace',
    ownScope: 'none',
    request: () => ({
      url: '/api/v1/channels/embedded-signup',
      body: { code: 'some-code', wabaId: '300000000000001', phoneNumberId: '400000000000001' },
    }),
  },
  'GET /api/v1/channels/embedded-signup/config': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/channels/embedded-signup/config' }),
  },
  'GET /api/v1/channels/:channelId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/channels/${w.a.channelId}` }),
  },
  'POST /api/v1/channels/:channelId/health-check': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/channels/${w.a.channelId}/health-check` }),
  },
  'PUT /api/v1/channels/:channelId/token': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({
      url: `/api/v1/channels/${w.a.channelId}/token`,
      body: { accessToken: 'stolen-token-123' },
    }),
  },
  'DELETE /api/v1/channels/:channelId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/channels/${w.a.channelId}` }),
  },
  'GET /api/v1/webhook-events': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/webhook-events' }),
  },
  'GET /api/v1/webhook-events/:eventId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/webhook-events/${w.a.deadLetterId}` }),
  },
  'POST /api/v1/webhook-events/:eventId/replay': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/webhook-events/${w.a.deadLetterId}/replay` }),
  },
  'GET /api/v1/operator/webhook-events': {
    kind: 'operator',
    request: () => ({ url: '/api/v1/operator/webhook-events' }),
  },
  'POST /api/v1/operator/webhook-events/:eventId/replay': {
    kind: 'operator',
    request: (w) => ({ url: `/api/v1/operator/webhook-events/${w.a.deadLetterId}/replay` }),
  },
  'GET /webhooks/meta': {
    kind: 'public',
    reason: "Meta's handshake: answers only hub.challenge for a known verify token; reads no tenant data",
    check: async (w) => {
      const res = await new HttpClient(w.a.owner.app).get(
        '/webhooks/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1',
      );
      assert.equal(res.status, 403);
    },
  },
  'POST /webhooks/meta': {
    kind: 'public',
    reason:
      'Meta’s deliveries, authenticated by the app secret’s signature; each event is routed by Meta’s account id to the one workspace that connected it',
    check: async (w) => {
      const res = await new HttpClient(w.a.owner.app).request('POST', '/webhooks/meta', undefined, {
        rawBody: JSON.stringify({ object: 'whatsapp_business_account', entry: [] }),
      });
      assert.equal(res.status, 401);
      assertNoAData(w, res, 'unsigned webhook');
    },
  },

  // Conversations, messages, contacts, media.
  'GET /api/v1/conversations': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/conversations' }),
  },
  'GET /api/v1/conversations/:conversationId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/conversations/${w.a.conversationId}` }),
  },
  'GET /api/v1/conversations/:conversationId/messages': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/conversations/${w.a.conversationId}/messages` }),
  },
  'POST /api/v1/conversations/:conversationId/messages': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({
      url: `/api/v1/conversations/${w.a.conversationId}/messages`,
      body: { content: { type: 'text', text: 'injected by B' } },
    }),
  },
  'POST /api/v1/conversations/:conversationId/attachments': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    // The conversation is looked up (in the caller's workspace) before the body is read, so a
    // JSON body here is answered like a file would be: A's conversation does not exist for B.
    request: (w) => ({ url: `/api/v1/conversations/${w.a.conversationId}/attachments` }),
  },
  'POST /api/v1/conversations/:conversationId/notes': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({
      url: `/api/v1/conversations/${w.a.conversationId}/notes`,
      body: { text: 'B was here' },
    }),
  },
  'POST /api/v1/conversations/:conversationId/read': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/conversations/${w.a.conversationId}/read` }),
  },
  'POST /api/v1/conversations/:conversationId/typing': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/conversations/${w.a.conversationId}/typing` }),
  },
  'GET /api/v1/messages/:messageId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/messages/${w.a.messageId}` }),
  },
  'GET /api/v1/contacts/:contactId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/contacts/${w.a.contactId}` }),
  },
  'PATCH /api/v1/contacts/:contactId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({
      url: `/api/v1/contacts/${w.a.contactId}`,
      body: { name: 'taken over', customFields: { a_secret_field: 'overwritten' } },
    }),
  },
  'GET /api/v1/contact-fields': {
    kind: 'workspace',
    ownScope: 'listing',
    request: () => ({ url: '/api/v1/contact-fields' }),
  },
  'POST /api/v1/contact-fields': {
    kind: 'workspace',
    ownScope: 'none',
    // The same key as A's field: keys are unique per workspace, so B may have its own.
    request: () => ({
      url: '/api/v1/contact-fields',
      body: { key: 'a_secret_field', label: 'B', type: 'text' },
    }),
  },
  'PATCH /api/v1/contact-fields/:fieldId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({
      url: `/api/v1/contact-fields/${w.a.contactFieldId}`,
      body: { label: 'taken over', archived: true },
    }),
  },
  'DELETE /api/v1/contact-fields/:fieldId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/contact-fields/${w.a.contactFieldId}` }),
  },
  'GET /api/v1/media/:mediaId': {
    kind: 'workspace',
    ownScope: 'object-of-a',
    request: (w) => ({ url: `/api/v1/media/${w.a.mediaId}` }),
  },
};

/** Which case kinds fit which declared route auth (a workspace route cannot hide as "public"). */
const KINDS_FOR_AUTH: Record<RouteAuth, Case['kind'][]> = {
  public: ['public'],
  pending: ['self'],
  user: ['self', 'user-object'],
  workspace: ['workspace'],
  operator: ['operator'],
};

let h: TestHarness;
let w: World;
let routes: RegisteredRoute[];

before(async () => {
  h = await createTestApp();
  // The first user of an install becomes the platform operator: make that a dedicated user, so
  // the owners of A and B are ordinary users.
  const operator = await signUpOwner(h.app, { workspaceName: 'Operator home' });
  const aOwner = await signUpOwner(h.app, { workspaceName: 'Workspace A' });
  const bOwner = await signUpOwner(h.app, { workspaceName: 'Workspace B' });
  for (const [client, isOperator] of [
    [operator, true],
    [aOwner, false],
    [bOwner, false],
  ] as const) {
    const me = await client.get('/api/v1/auth/me');
    assert.equal(me.body.user.isOperator, isOperator, client.email);
  }
  const aAgent = await addMember(aOwner, 'agent');
  const aKey = await addApiKey(aOwner, 'admin');
  const inv = await aOwner.post('/api/v1/invitations', { email: uniqueEmail('pending'), role: 'admin' });
  assert.equal(inv.status, 201);
  const grant = await aOwner.post('/api/v1/support-access', { hours: 24, role: 'agent', reason: 'ticket 1' });
  assert.equal(grant.status, 201);
  // A's inbox: a conversation (assigned, with a team and a label, pending), a canned response.
  const aChannel = await seedChannel(h, requireId(aOwner.workspaceId));
  const aConversation = await seedInbound(h, aChannel);
  const label = await aOwner.post('/api/v1/labels', { name: 'A secret label' });
  assert.equal(label.status, 201);
  const team = await aOwner.post('/api/v1/teams', { name: 'A secret team' });
  assert.equal(team.status, 201);
  const conv = `/api/v1/conversations/${aConversation.conversationId}`;
  for (const res of [
    await aOwner.request('PUT', `/api/v1/teams/${team.body.id}/members/${aAgent.userId}`),
    await aOwner.request('PUT', `${conv}/labels/${label.body.id}`),
    await aOwner.post(`${conv}/assign`, { assigneeId: aAgent.userId, teamId: team.body.id }),
    await aOwner.post(`${conv}/status`, { status: 'pending' }),
  ]) {
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const canned = await aOwner.post('/api/v1/canned-responses', {
    shortcut: 'a-secret',
    title: 'A secret',
    body: 'A secret reply',
  });
  assert.equal(canned.status, 201);
  // A custom contact field with a value on A's contact.
  const field = await aOwner.post('/api/v1/contact-fields', {
    key: 'a_secret_field',
    label: 'A secret field',
    type: 'text',
  });
  assert.equal(field.status, 201, JSON.stringify(field.body));
  const valued = await aOwner.patch(`/api/v1/contacts/${aConversation.contactId}`, {
    customFields: { a_secret_field: 'A secret value' },
  });
  assert.equal(valued.status, 200, JSON.stringify(valued.body));
  const aWorkspace = requireId(aOwner.workspaceId);
  const { mediaId, deadLetterId } = await seedMediaAndDeadLetter(aWorkspace, aConversation.messageId);
  const bKey = await addApiKey(bOwner, 'admin');
  const bSelf = await addMember(bOwner, 'agent');
  const sessionOf = async (c: HttpClient) => {
    const res = await c.get('/api/v1/auth/sessions');
    const current = res.body.items.find((s: { current: boolean }) => s.current);
    assert.ok(current);
    return current.id as string;
  };
  w = {
    operator,
    a: {
      owner: aOwner,
      agent: aAgent,
      apiKey: aKey,
      workspaceId: requireId(aOwner.workspaceId),
      workspaceName: 'Workspace A',
      ownerId: requireId(aOwner.userId),
      agentId: requireId(aAgent.userId),
      invitationId: inv.body.invitation.id,
      invitationToken: inv.body.token,
      apiKeyId: aKey.apiKeyId,
      grantId: grant.body.id,
      ownerSessionId: await sessionOf(aOwner),
      agentSessionId: await sessionOf(aAgent),
      channelId: aChannel.id,
      contactId: aConversation.contactId,
      contactFieldId: field.body.id,
      conversationId: aConversation.conversationId,
      labelId: label.body.id,
      teamId: team.body.id,
      cannedResponseId: canned.body.id,
      messageId: aConversation.messageId,
      mediaId,
      deadLetterId,
    },
    b: { owner: bOwner, key: bKey, self: bSelf, workspaceId: requireId(bOwner.workspaceId) },
  };
  routes = h.app.registeredRoutes.filter((r) => !isDocsRoute(r) && !isWebAppRoute(r));
});
after(async () => h.close());

/** A media row of A's message and a dead-lettered webhook routed to A (fixtures for their routes). */
async function seedMediaAndDeadLetter(workspaceId: string, messageId: string) {
  const mediaId = newId();
  await h.ctx.db.run({ workspaceId }, (tx) =>
    mediaRepository(tx).insert({ id: mediaId, messageId, mimeType: 'image/png' }),
  );
  const deadLetterId = await h.ctx.db.run({ system: true }, async (tx) => {
    const repo = webhookEventRepository(
      tx,
      h.ctx.keyring.fieldCipher(dataKeyRepository(tx, wrappedKeyMasterId), null),
    );
    await repo.insert({
      appId: '900000000000001',
      object: 'page',
      body: Buffer.from('{"object":"page","a":1}'),
      receivedAt: new Date(),
    });
    const [claimed] = await repo.claim({ now: new Date(Date.now() + 1000), limit: 1, leaseMs: 1000 });
    assert.ok(claimed);
    await repo.finish(claimed.id, { status: 'dead', at: new Date(), error: 'fixture', workspaceId });
    return claimed.id;
  });
  return { mediaId, deadLetterId };
}

function requireId(id: string | null): string {
  assert.ok(id, 'expected an id');
  return id;
}

const routeKey = (r: RegisteredRoute) => `${r.method} ${r.url}`;

/** Everything that identifies A or its objects; none of it may appear in an answer to B. */
function aSecrets(w: World): string[] {
  const a = w.a;
  return [
    a.workspaceId,
    a.workspaceName,
    a.ownerId,
    a.agentId,
    a.invitationId,
    a.apiKeyId,
    a.grantId,
    a.ownerSessionId,
    a.agentSessionId,
    a.owner.email,
    a.agent.email,
    a.invitationToken.split('_').slice(2).join('_'),
    a.channelId,
    a.contactId,
    a.contactFieldId,
    'A secret value',
    'A secret field',
    a.conversationId,
    a.labelId,
    a.teamId,
    a.cannedResponseId,
    a.messageId,
    a.mediaId,
    a.deadLetterId,
  ];
}

function assertNoAData(w: World, res: Response, what: string): void {
  const text = res.raw.body;
  for (const secret of aSecrets(w)) {
    assert.ok(!text.includes(secret), `${what}: the answer contains A's ${secret}`);
  }
}

function assertError(res: Response, status: number, code: string, what: string): void {
  assert.equal(res.status, status, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body?.error?.code, code, `${what}: ${JSON.stringify(res.body)}`);
}

/** Invitation tokens that carry B's workspace hex with A's secret (and A's hex with a made-up secret). */
function forgedInvitationTokens(w: World): string[] {
  const secret = w.a.invitationToken.split('_').slice(2).join('_');
  const bHex = w.b.workspaceId.replaceAll('-', '');
  const aHex = w.a.workspaceId.replaceAll('-', '');
  return [`inv_${bHex}_${secret}`, `inv_${aHex}_${'A'.repeat(secret.length)}`, `prk_${aHex}_${secret}`];
}

async function idsOf(client: HttpClient, url: string, field: string): Promise<string[]> {
  const res = await client.get(url);
  assert.equal(res.status, 200, `${url}: ${JSON.stringify(res.body)}`);
  return (res.body.items as Record<string, string>[]).map((i) => String(i[field])).sort();
}

/** What A looks like to its owner: state, not timestamps of use. */
async function snapshotA(w: World) {
  const o = w.a.owner;
  const get = async (url: string) => {
    const res = await o.get(url);
    assert.equal(res.status, 200, `A's view of ${url}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const sessions = async (c: HttpClient) => {
    const res = await c.get('/api/v1/auth/sessions');
    assert.equal(res.status, 200, `sessions of ${c.userId}: ${JSON.stringify(res.body)}`);
    return (res.body.items as { id: string }[]).map((s) => s.id).sort();
  };
  return {
    workspace: await get('/api/v1/workspace'),
    members: await get('/api/v1/members'),
    invitations: await get('/api/v1/invitations'),
    // lastUsedAt moves when the snapshot itself checks that A's key still works.
    apiKeys: ((await get('/api/v1/api-keys')).items as Record<string, unknown>[]).map(
      ({ lastUsedAt: _lastUsedAt, ...k }) => k,
    ),
    grants: await get('/api/v1/support-access'),
    audit: ((await get('/api/v1/audit-log?limit=200')).items as { seq: number; hash: string }[]).map(
      (e) => `${e.seq}:${e.hash}`,
    ),
    ownerSessions: await sessions(o),
    agentSessions: await sessions(w.a.agent),
    apiKeyWorks: (await w.a.apiKey.get('/api/v1/workspace')).status,
    labels: await get('/api/v1/labels'),
    contactFields: await get('/api/v1/contact-fields'),
    contact: await get(`/api/v1/contacts/${w.a.contactId}`),
    teams: await get('/api/v1/teams'),
    cannedResponses: await get('/api/v1/canned-responses'),
    inboxSettings: await get('/api/v1/inbox-settings'),
    agentAvailability: (await w.a.agent.get('/api/v1/me/availability')).body,
    channels: await get('/api/v1/channels'),
    timeline: await get(`/api/v1/conversations/${w.a.conversationId}/messages`),
    deadLetters: await get('/api/v1/webhook-events'),
    conversation: await h.ctx.db.run({ workspaceId: w.a.workspaceId }, async (tx) => {
      const c = await conversationStoresFor(h.ctx, tx, w.a.workspaceId).conversations.get(w.a.conversationId);
      assert.ok(c, "A's conversation");
      const { status, assigneeId, teamId, snoozedUntil, labelIds } = c;
      return { status, assigneeId, teamId, snoozedUntil, labelIds };
    }),
  };
}

async function unchangedA(w: World, fn: () => Promise<void>): Promise<void> {
  const before = await snapshotA(w);
  await fn();
  assert.deepEqual(await snapshotA(w), before, 'something in A changed');
}

/** B's two identities: its owner's session and its admin API key. */
const bActors = (w: World): [string, HttpClient][] => [
  ['B owner (session)', w.b.owner],
  ['B admin API key', w.b.key],
];

function send(client: HttpClient, method: string, req: Req, workspaceHeader?: string): Promise<Response> {
  const opts = workspaceHeader
    ? { headers: { 'x-workspace-id': workspaceHeader }, workspace: false }
    : { workspace: true };
  const body = req.body ?? (method === 'GET' || method === 'DELETE' ? undefined : {});
  return client.request(method, req.url, body, opts);
}

/** The request must target the route it is listed under. */
function assertMatchesRoute(key: string, req: Req): void {
  const [, pattern] = key.split(' ');
  const re = new RegExp(`^${(pattern ?? '').replace(/:\w+/g, '[^/?]+')}(\\?.*)?$`);
  assert.ok(re.test(req.url), `${key}: the case sends ${req.url}`);
}

const MISSING_ID = '0190f000-0000-7000-8000-0000000000ff';

async function runCase(key: string, c: Case): Promise<void> {
  const method = key.split(' ')[0] ?? 'GET';
  switch (c.kind) {
    case 'public': {
      assert.ok(c.reason.length > 10, `${key}: say why there is no tenant object`);
      if (c.check) await c.check(w);
      return;
    }
    case 'self': {
      assert.ok(!key.includes(':'), `${key}: a self route names no object`);
      const req = { url: key.split(' ')[1] ?? '', body: c.body };
      await unchangedA(w, async () => {
        // API keys act in a workspace, never as a user.
        const viaKey = await send(w.b.key, method, req, w.a.workspaceId);
        assertError(viaKey, 401, 'unauthenticated', `${key} with B's API key`);
        // A fresh session of a B member, pointing at A: only its own account is touched.
        const self = await signIn(h.app, w.b.self.email);
        const res = await send(self, method, req, w.a.workspaceId);
        assert.ok(res.status < 500, `${key}: ${res.status} ${JSON.stringify(res.body)}`);
        assertNoAData(w, res, `${key} as B with X-Workspace-Id: A`);
      });
      return;
    }
    case 'user-object': {
      const req = c.request(w);
      assertMatchesRoute(key, req);
      await unchangedA(w, async () => {
        const res = await send(w.b.owner, method, req);
        assertError(res, 404, 'not_found', `${key} as B's owner on A's object`);
        assertNoAData(w, res, key);
        const viaKey = await send(w.b.key, method, req);
        assertError(viaKey, 401, 'unauthenticated', `${key} with B's API key`);
      });
      return;
    }
    case 'workspace': {
      const req = c.request(w);
      assertMatchesRoute(key, req);
      await unchangedA(w, async () => {
        for (const [who, client] of bActors(w)) {
          const inA = await send(client, method, req, w.a.workspaceId);
          assertError(inA, 404, 'not_found', `${key} as ${who} with X-Workspace-Id: A`);
          assertNoAData(w, inA, `${key} as ${who} with X-Workspace-Id: A`);
          if (c.ownScope === 'object-of-a') {
            const res = await send(client, method, req);
            assertNoAData(w, res, `${key} as ${who} on A's object`);
            if (client === w.b.owner) {
              assertError(res, 404, 'not_found', `${key} as ${who} on A's object`);
            } else if (res.status !== 404) {
              // A key whose role lacks the permission is refused before any lookup: the answer
              // must then be the same as for an id that exists nowhere.
              const missing = await send(client, method, {
                ...req,
                url: req.url.replace(/[0-9a-f-]{36}/, MISSING_ID),
              });
              assert.equal(res.status, 403, `${key} as ${who}: ${JSON.stringify(res.body)}`);
              assert.equal(missing.status, res.status, `${key} as ${who}: differs from a missing id`);
              assert.equal(missing.body.error.code, res.body.error.code);
            }
          } else if (c.ownScope === 'listing') {
            const res = await send(client, method, req);
            if (client === w.b.owner) assert.equal(res.status, 200, `${key}: ${JSON.stringify(res.body)}`);
            else assert.ok([200, 403].includes(res.status), `${key} as ${who}: ${JSON.stringify(res.body)}`);
            assertNoAData(w, res, `${key} as ${who} in B`);
          }
        }
      });
      return;
    }
    case 'operator': {
      const req = c.request(w);
      assertMatchesRoute(key, req);
      await unchangedA(w, async () => {
        for (const workspaceHeader of [undefined, w.a.workspaceId]) {
          const res = await send(w.b.owner, method, req, workspaceHeader);
          assertError(res, 403, 'forbidden', `${key} as B's owner`);
          assertNoAData(w, res, `${key} as B's owner`);
        }
        const viaKey = await send(w.b.key, method, req);
        assertError(viaKey, 401, 'unauthenticated', `${key} with B's API key`);
      });
      return;
    }
  }
}

test('every registered route has a cross-tenant case, and every case a registered route', () => {
  assert.ok(routes.length > 20, `only ${routes.length} routes registered`);
  const registered = new Map(routes.map((r) => [routeKey(r), r]));
  const missing = [...registered.keys()].filter((k) => !(k in CASES));
  assert.deepEqual(missing, [], `routes without a cross-tenant case in CASES: ${missing.join(', ')}`);
  const stale = Object.keys(CASES).filter((k) => !registered.has(k));
  assert.deepEqual(stale, [], `CASES entries for routes that no longer exist: ${stale.join(', ')}`);
  for (const [k, r] of registered) {
    assert.ok(r.auth, `${k} declares no config.auth`);
    const c = CASES[k];
    if (c)
      assert.ok(
        KINDS_FOR_AUTH[r.auth].includes(c.kind),
        `${k} (auth ${r.auth}) cannot be a '${c.kind}' case`,
      );
  }
});

for (const [key, c] of Object.entries(CASES)) {
  test(`${key} — ${c.kind}`, async (t) => {
    if (!routes.some((r) => routeKey(r) === key)) {
      t.skip('no such route (the coverage test fails for it)');
      return;
    }
    await runCase(key, c);
  });
}

test('GET /api/v1/events?workspaceId=<A> (for EventSource, which sends no headers): B gets the same 404 as with X-Workspace-Id', async () => {
  await unchangedA(w, async () => {
    for (const [who, client] of bActors(w)) {
      const url = `/api/v1/events?workspaceId=${w.a.workspaceId}&after=0&once=1`;
      const res = await client.request('GET', url, undefined, { workspace: false });
      assertError(res, 404, 'not_found', `events?workspaceId=A as ${who}`);
      assertNoAData(w, res, `events?workspaceId=A as ${who}`);
      // Naming B in the header and A in the query is refused, never answered with either.
      const mixed = await client.request('GET', url, undefined, {
        headers: { 'x-workspace-id': w.b.workspaceId },
        workspace: false,
      });
      assert.ok([400, 404].includes(mixed.status), `${who}: ${mixed.status} ${JSON.stringify(mixed.body)}`);
      assertNoAData(w, mixed, `events?workspaceId=A with X-Workspace-Id: B as ${who}`);
    }
  });
});

test("a forged API key (A's workspace with B's secret, or B's with A's) is refused", async () => {
  const aHex = w.a.workspaceId.replaceAll('-', '');
  const bHex = w.b.workspaceId.replaceAll('-', '');
  const secretOf = (c: HttpClient) => (c.bearer ?? '').split('_').slice(2).join('_');
  await unchangedA(w, async () => {
    for (const token of [`prk_${aHex}_${secretOf(w.b.key)}`, `prk_${bHex}_${secretOf(w.a.apiKey)}`]) {
      const res = await HttpClient.withApiKey(h.app, token).get('/api/v1/members');
      assertError(res, 401, 'invalid_api_key', 'forged key');
    }
  });
});

test("B's owner cannot end A's sessions or see them; A's sessions keep working", async () => {
  for (const id of [w.a.ownerSessionId, w.a.agentSessionId]) {
    const res = await w.b.owner.delete(`/api/v1/auth/sessions/${id}`);
    assertError(res, 404, 'not_found', "revoke A's session");
  }
  assert.equal((await w.a.owner.get('/api/v1/auth/me')).status, 200);
  assert.equal((await w.a.agent.get('/api/v1/auth/me')).status, 200);
});

test('the platform operator sees the workspaces table but nothing inside a workspace without a grant', async () => {
  const list = await w.operator.get('/api/v1/operator/workspaces?limit=200');
  assert.equal(list.status, 200);
  const ids = list.body.items.map((x: { id: string }) => x.id);
  assert.ok(ids.includes(w.a.workspaceId) && ids.includes(w.b.workspaceId));
  // B granted no support access: the operator gets the same 404 as anybody.
  for (const url of ['/api/v1/members', '/api/v1/workspace', '/api/v1/audit-log']) {
    const res = await w.operator.request('GET', url, undefined, {
      headers: { 'x-workspace-id': w.b.workspaceId },
      workspace: false,
    });
    assertError(res, 404, 'not_found', `operator ${url} in B`);
  }
});

/** A multipart body with one PNG part named "file", as a browser sends it. */
function multipartPng(): { body: Buffer; contentType: string } {
  const boundary = `----parley${newId()}`;
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

test("B cannot upload into A's conversation nor send A's uploaded file from its own conversation", async () => {
  const upload = (client: HttpClient, conversationId: string, workspaceHeader?: string) => {
    const { body, contentType } = multipartPng();
    return client.request('POST', `/api/v1/conversations/${conversationId}/attachments`, undefined, {
      rawBody: body,
      contentType,
      ...(workspaceHeader ? { headers: { 'x-workspace-id': workspaceHeader }, workspace: false } : {}),
    });
  };
  // A's own upload works (the route and the fixture are sound).
  const mine = await upload(w.a.owner, w.a.conversationId);
  assert.equal(mine.status, 201, JSON.stringify(mine.body));

  await unchangedA(w, async () => {
    for (const [who, client] of bActors(w)) {
      const own = await upload(client, w.a.conversationId);
      assertError(own, 404, 'not_found', `${who} uploading into A's conversation`);
      const inA = await upload(client, w.a.conversationId, w.a.workspaceId);
      assertError(inA, 404, 'not_found', `${who} uploading with X-Workspace-Id: A`);
    }
    // B's own WhatsApp conversation, sending A's upload by id: B's storage has no such file.
    const bChannel = await seedChannel(h, w.b.workspaceId, { accountId: `b-${newId()}` });
    const bConversation = await seedInbound(h, bChannel);
    const res = await w.b.owner.post(`/api/v1/conversations/${bConversation.conversationId}/messages`, {
      content: { type: 'image', media: { id: mine.body.id } },
    });
    assertError(res, 404, 'not_found', "B sending A's uploaded file");
    assertNoAData(w, res, "B sending A's uploaded file");
  });
});
