import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AuditEntry } from '@parley/core';
import { auditRepository } from '@parley/db';
import { assertError } from './helpers/assertions.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';
import { HttpClient } from './helpers/http-client.ts';
import { addApiKey, addMember, PASSWORD, signIn, signUpOwner, uniqueEmail } from './helpers/factories.ts';

type Client = Awaited<ReturnType<typeof signUpOwner>>;

let h: TestHarness;
/** The first account of the install: the platform operator. */
let operator: Client;
before(async () => {
  h = await createTestApp();
  operator = await signUpOwner(h.app, { workspaceName: 'Agency' });
});
after(async () => h.close());

/** The operator's client pointed at another workspace. */
function operatorIn(workspaceId: string | null): HttpClient {
  const c = new HttpClient(h.app);
  c.cookie = operator.cookie;
  c.csrf = operator.csrf;
  c.workspaceId = workspaceId;
  return c;
}

async function workspaceAudit(owner: HttpClient): Promise<AuditEntry[]> {
  const res = await owner.get('/api/v1/audit-log?limit=200');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

async function platformChain(): Promise<AuditEntry[]> {
  return h.ctx.db.run({}, (tx) => auditRepository(tx).list(null, { beforeSeq: null, limit: 500 }));
}

/** A client workspace created by the operator, its owner signed in through the invitation link. */
async function clientWorkspace(plan = 'starter') {
  const ownerEmail = uniqueEmail('client-owner');
  const res = await operator.post('/api/v1/operator/workspaces', { name: 'Client Co', plan, ownerEmail });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const m = /\/invite#token=([^&\s]+)$/.exec(res.body.ownerInvitationUrl);
  assert.ok(m?.[1], res.body.ownerInvitationUrl);
  const anon = new HttpClient(h.app);
  const preview = await anon.post('/api/v1/invitations/preview', { token: m[1] });
  assert.equal(preview.status, 200, JSON.stringify(preview.body));
  assert.equal(preview.body.role, 'owner');
  assert.equal(preview.body.email, ownerEmail);
  const accepted = await anon.post('/api/v1/invitations/accept', {
    token: m[1],
    name: 'Client',
    password: PASSWORD,
  });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(accepted.body.createdAccount, true);
  const owner = await signIn(h.app, ownerEmail);
  owner.workspaceId = res.body.workspace.id;
  return { workspace: res.body.workspace, owner, token: m[1] };
}

test('the first account is the platform operator', async () => {
  const me = await operator.get('/api/v1/auth/me');
  assert.equal(me.body.user.isOperator, true);
  const second = await signUpOwner(h.app);
  assert.equal((await second.get('/api/v1/auth/me')).body.user.isOperator, false);
});

test('the operator creates a workspace; the invited owner accepts and signs in', async () => {
  const { workspace, owner, token } = await clientWorkspace('pro');
  assert.equal(workspace.plan, 'pro');
  assert.equal(workspace.status, 'active');
  const me = await owner.get('/api/v1/auth/me');
  assert.deepEqual(
    me.body.workspaces.map((w: { workspaceId: string; role: string }) => [w.workspaceId, w.role]),
    [[workspace.id, 'owner']],
  );
  const members = await owner.get('/api/v1/members');
  assert.equal(members.status, 200);
  assert.deepEqual(
    members.body.items.map((m: { role: string }) => m.role),
    ['owner'],
    'the operator is not a member',
  );
  // The link works once.
  const again = await new HttpClient(h.app).post('/api/v1/invitations/accept', {
    token,
    name: 'Again',
    password: PASSWORD,
  });
  assertError(again, 400, 'invalid_token');
  // Its creation is in the new workspace's audit log, by the operator.
  const created = (await workspaceAudit(owner)).find((e) => e.action === 'workspace.created');
  assert.ok(created);
  assert.equal(created.actorType, 'operator');
  assert.equal(created.actorId, operator.userId);
});

test('the operator lists every workspace, paginated', async () => {
  const a = await clientWorkspace();
  const b = await signUpOwner(h.app);
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/api/v1/operator/workspaces?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await operator.get(url);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.items.length <= 2);
    for (const w of res.body.items) {
      assert.ok(!seen.has(w.id), 'no workspace twice');
      seen.add(w.id);
    }
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  assert.ok(pages > 1);
  assert.ok(seen.has(a.workspace.id));
  assert.ok(seen.has(b.workspaceId!));
  assert.ok(seen.has(operator.workspaceId!));
  assertError(await operator.get('/api/v1/operator/workspaces?cursor=nonsense'), 400, 'invalid_cursor');
});

test('plan changes and suspension', async () => {
  const { workspace, owner } = await clientWorkspace('free');
  const agent = await addMember(owner, 'agent');
  const key = await addApiKey(owner, 'admin');

  const plan = await operator.patch(`/api/v1/operator/workspaces/${workspace.id}`, { plan: 'enterprise' });
  assert.equal(plan.status, 200, JSON.stringify(plan.body));
  assert.equal(plan.body.plan, 'enterprise');
  assert.equal((await owner.get('/api/v1/workspace')).body.plan, 'enterprise');

  const suspend = await operator.patch(`/api/v1/operator/workspaces/${workspace.id}`, {
    status: 'suspended',
  });
  assert.equal(suspend.status, 200, JSON.stringify(suspend.body));
  assert.equal(suspend.body.status, 'suspended');
  assertError(await owner.get('/api/v1/members'), 403, 'workspace_suspended');
  assertError(await agent.get('/api/v1/workspace'), 403, 'workspace_suspended');
  assertError(await key.get('/api/v1/members'), 403, 'workspace_suspended');
  assertError(
    await owner.post('/api/v1/invitations', { email: uniqueEmail(), role: 'agent' }),
    403,
    'workspace_suspended',
  );
  // The account itself still works (they can see why and sign out).
  assert.equal((await owner.get('/api/v1/auth/me')).status, 200);
  const listed = await operator.get('/api/v1/operator/workspaces?limit=200');
  assert.equal(listed.body.items.find((w: { id: string }) => w.id === workspace.id).status, 'suspended');

  const reactivate = await operator.patch(`/api/v1/operator/workspaces/${workspace.id}`, {
    status: 'active',
  });
  assert.equal(reactivate.status, 200);
  assert.equal((await owner.get('/api/v1/members')).status, 200);
  assert.equal((await agent.get('/api/v1/workspace')).status, 200);
  assert.equal((await key.get('/api/v1/members')).status, 200);

  const changes = (await workspaceAudit(owner)).filter((e) => e.action === 'workspace.plan_changed');
  assert.equal(changes.length, 3);
  assert.ok(changes.every((e) => e.actorType === 'operator' && e.actorId === operator.userId));

  assertError(
    await operator.patch('/api/v1/operator/workspaces/01900000-0000-7000-8000-000000000000', { plan: 'pro' }),
    404,
    'not_found',
  );
});

test('a non-operator gets 403 on operator routes, and the denial is audited', async () => {
  const { workspace, owner } = await clientWorkspace();
  assertError(await owner.get('/api/v1/operator/workspaces'), 403, 'forbidden');
  assertError(
    await owner.post('/api/v1/operator/workspaces', { name: 'Mine', plan: 'pro', ownerEmail: uniqueEmail() }),
    403,
    'forbidden',
  );
  assertError(
    await owner.patch(`/api/v1/operator/workspaces/${workspace.id}`, { plan: 'enterprise' }),
    403,
    'forbidden',
  );
  assert.equal((await owner.get('/api/v1/workspace')).body.plan, 'starter', 'nothing changed');
  // An API key is not an operator either.
  const key = await addApiKey(owner, 'admin');
  assert.ok([401, 403].includes((await key.get('/api/v1/operator/workspaces')).status));

  const denials = (await platformChain()).filter(
    (e) => e.action === 'authz.denied' && e.actorId === owner.userId,
  );
  assert.equal(denials.length, 3);
  for (const d of denials) {
    assert.equal(d.outcome, 'denied');
    assert.equal(d.actorType, 'user');
    assert.equal(d.ip, '127.0.0.1');
    assert.equal(d.metadata.permission, 'platform.operate');
  }
});

test('without a grant the operator cannot see into a client workspace', async () => {
  const { workspace } = await clientWorkspace();
  const op = operatorIn(workspace.id);
  assertError(await op.get('/api/v1/members'), 404, 'not_found');
  assertError(await op.get('/api/v1/audit-log'), 404, 'not_found');
  assertError(await op.get('/api/v1/workspace'), 404, 'not_found');
  assertError(
    await op.post('/api/v1/invitations', { email: uniqueEmail(), role: 'agent' }),
    404,
    'not_found',
  );
  // The same answer as for a workspace that does not exist.
  const none = await operatorIn('01900000-0000-7000-8000-000000000000').get('/api/v1/members');
  assertError(none, 404, 'not_found');
});

test('with a grant the operator acts with its role, and every request is audited', async () => {
  const { workspace, owner } = await clientWorkspace();
  const grant = await owner.post('/api/v1/support-access', { hours: 2, role: 'agent', reason: 'Ticket #42' });
  assert.equal(grant.status, 201, JSON.stringify(grant.body));
  assert.equal(grant.body.role, 'agent');

  const op = operatorIn(workspace.id);
  const members = await op.get('/api/v1/members');
  assert.equal(members.status, 200, JSON.stringify(members.body));
  assert.ok(!members.body.items.some((m: { userId: string }) => m.userId === operator.userId));
  assert.equal((await op.get('/api/v1/workspace')).status, 200);
  // Not more than an agent.
  assertError(await op.get('/api/v1/api-keys'), 403, 'forbidden');
  assertError(await op.get('/api/v1/audit-log'), 403, 'forbidden');
  assertError(
    await op.post('/api/v1/invitations', { email: uniqueEmail(), role: 'admin' }),
    403,
    'forbidden',
  );
  assertError(await op.patch('/api/v1/workspace', { require2fa: false }), 403, 'forbidden');
  // An operator may not extend their own access.
  assertError(
    await op.post('/api/v1/support-access', { hours: 72, role: 'admin', reason: 'more' }),
    403,
    'forbidden',
  );

  const log = await workspaceAudit(owner);
  const uses = log.filter((e) => e.action === 'support_access.used');
  const paths = uses.map((e) => `${e.metadata.method} ${e.metadata.path}`).sort();
  assert.deepEqual(paths, [
    'GET /api/v1/api-keys',
    'GET /api/v1/audit-log',
    'GET /api/v1/members',
    'GET /api/v1/workspace',
    'PATCH /api/v1/workspace',
    'POST /api/v1/invitations',
    'POST /api/v1/support-access',
  ]);
  for (const e of uses) {
    assert.equal(e.actorType, 'operator');
    assert.equal(e.actorId, operator.userId);
    assert.equal(e.targetType, 'support_grant');
    assert.equal(e.targetId, grant.body.id);
    assert.equal(e.ip, '127.0.0.1');
    // Reads an agent may do succeed; the refused ones are recorded as denied uses.
    const allowed = ['GET /api/v1/members', 'GET /api/v1/workspace'].includes(
      `${e.metadata.method} ${e.metadata.path}`,
    );
    assert.equal(e.outcome, allowed ? 'success' : 'denied', JSON.stringify(e));
  }
  const denied = log.filter((e) => e.action === 'authz.denied');
  assert.equal(denied.length, 5);
  assert.ok(
    denied.every(
      (e) => e.actorType === 'operator' && e.actorId === operator.userId && e.outcome === 'denied',
    ),
  );
  const granted = log.find((e) => e.action === 'support_access.granted');
  assert.ok(granted);
  assert.equal(granted.actorId, owner.userId);
  assert.equal(granted.targetId, grant.body.id);

  // The operator's own workspace and account are unaffected by the grant.
  assert.equal((await operatorIn(operator.workspaceId).get('/api/v1/members')).status, 200);
});

test('after revocation or expiry the operator is out again', async () => {
  const { workspace, owner } = await clientWorkspace();
  const op = operatorIn(workspace.id);

  const g1 = await owner.post('/api/v1/support-access', { hours: 1, role: 'admin', reason: 'Migration' });
  assert.equal(g1.status, 201);
  assert.equal((await op.get('/api/v1/api-keys')).status, 200, 'admin grant: admin rights');
  const revoke = await owner.delete(`/api/v1/support-access/${g1.body.id}`);
  assert.equal(revoke.status, 204, JSON.stringify(revoke.body));
  assertError(await op.get('/api/v1/members'), 404, 'not_found');
  const listed = await owner.get('/api/v1/support-access');
  assert.ok(listed.body.items.find((g: { id: string }) => g.id === g1.body.id).revokedAt);

  const g2 = await owner.post('/api/v1/support-access', { hours: 1, role: 'agent', reason: 'Follow-up' });
  assert.equal(g2.status, 201);
  assert.equal((await op.get('/api/v1/members')).status, 200);
  h.clock.advance(59 * 60_000);
  assert.equal((await op.get('/api/v1/members')).status, 200, 'still inside the hour');
  h.clock.advance(2 * 60_000);
  assertError(await op.get('/api/v1/members'), 404, 'not_found');

  const log = await workspaceAudit(owner);
  assert.ok(log.some((e) => e.action === 'support_access.revoked' && e.targetId === g1.body.id));
  // Refused requests after the grant ended are not "uses".
  const uses = log.filter((e) => e.action === 'support_access.used');
  assert.equal(uses.length, 3);
});

test('support access is limited to owners and to 1–72 hours', async () => {
  const { owner } = await clientWorkspace();
  const admin = await addMember(owner, 'admin');
  assertError(
    await admin.post('/api/v1/support-access', { hours: 1, role: 'agent', reason: 'x' }),
    403,
    'forbidden',
  );
  assertError(
    await owner.post('/api/v1/support-access', { hours: 73, role: 'agent', reason: 'x' }),
    400,
    'validation_failed',
  );
  assertError(
    await owner.post('/api/v1/support-access', { hours: 1, role: 'owner', reason: 'x' }),
    400,
    'validation_failed',
  );
});
