import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { generateTotpCode, type AuditEntry } from '@parley/core';
import { auditRepository } from '@parley/db';
import { assertError } from './helpers/assertions.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';
import { HttpClient } from './helpers/http-client.ts';
import { addApiKey, addMember, PASSWORD, signUpOwner, uniqueEmail } from './helpers/factories.ts';

type Client = Awaited<ReturnType<typeof signUpOwner>>;

let h: TestHarness;
/** The first account of the install is the platform operator (used for support access). */
let operator: Client;
before(async () => {
  h = await createTestApp();
  operator = await signUpOwner(h.app, { workspaceName: 'Agency' });
});
after(async () => h.close());

async function workspaceLog(client: HttpClient): Promise<AuditEntry[]> {
  const res = await client.get('/api/v1/audit-log?limit=200');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.nextCursor, null, 'one page holds it all');
  return res.body.items;
}

/** A privilege error from PostgreSQL (no UPDATE/DELETE grant, or the append-only trigger), possibly wrapped by drizzle. */
function refusedByDatabase(err: unknown): boolean {
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) messages.push(e.message);
  assert.match(messages.join(' | '), /permission denied|append-only/i);
  return true;
}

async function platformChain(): Promise<AuditEntry[]> {
  return h.ctx.db.run({}, (tx) => auditRepository(tx).list(null, { beforeSeq: null, limit: 1000 }));
}

function findOne(entries: AuditEntry[], pred: (e: AuditEntry) => boolean, label: string): AuditEntry {
  const found = entries.filter(pred);
  assert.equal(found.length, 1, `${label}: ${JSON.stringify(found)}`);
  return found[0]!;
}

test('sign-in success and failure are in the platform chain with actor, target, outcome and ip', async () => {
  const owner = await signUpOwner(h.app);
  const browser = new HttpClient(h.app);
  browser.ip = '203.0.113.10';
  assertError(
    await browser.post('/api/v1/auth/login', { email: owner.email, password: 'not my password' }),
    401,
    'invalid_credentials',
  );
  const ghost = uniqueEmail('ghost');
  assertError(
    await browser.post('/api/v1/auth/login', { email: ghost, password: PASSWORD }),
    401,
    'invalid_credentials',
  );
  assert.equal(
    (await browser.post('/api/v1/auth/login', { email: owner.email, password: PASSWORD })).status,
    200,
  );

  const chain = await platformChain();
  assert.ok(chain.every((e) => e.workspaceId === null));
  const ok = findOne(
    chain,
    (e) => e.action === 'auth.sign_in' && e.outcome === 'success' && e.actorId === owner.userId,
    'sign-in success',
  );
  assert.equal(ok.actorType, 'user');
  assert.equal(ok.targetType, 'user');
  assert.equal(ok.targetId, owner.userId);
  assert.equal(ok.ip, '203.0.113.10');

  const failed = findOne(
    chain,
    (e) => e.action === 'auth.sign_in' && e.outcome === 'failure' && e.actorId === owner.userId,
    'sign-in failure',
  );
  assert.equal(failed.targetType, 'user', 'the account that was tried is the target');
  assert.equal(failed.targetId, owner.userId);
  assert.equal(failed.ip, '203.0.113.10');
  assert.equal(failed.metadata.code, 'invalid_credentials');

  const unknown = findOne(
    chain,
    (e) => e.action === 'auth.sign_in' && e.metadata.email === ghost,
    'sign-in to an unknown account',
  );
  assert.equal(unknown.outcome, 'failure');
  assert.equal(unknown.actorType, 'anonymous');
  assert.equal(unknown.actorId, null);
  assert.equal(unknown.ip, '203.0.113.10');
  assert.ok(!JSON.stringify(chain).includes('not my password'), 'no password in the audit log');
});

test('2FA changes are in the platform chain', async () => {
  const owner = await signUpOwner(h.app);
  const setup = await owner.post('/api/v1/auth/2fa/setup');
  h.clock.advance(30_000);
  const code = () => generateTotpCode(setup.body.secret, h.clock.now());
  assertError(
    await owner.post('/api/v1/auth/2fa/enable', { code: '000000' }),
    401,
    'invalid_two_factor_code',
  );
  assert.equal((await owner.post('/api/v1/auth/2fa/enable', { code: await code() })).status, 200);
  h.clock.advance(30_000);
  assert.equal(
    (await owner.post('/api/v1/auth/2fa/disable', { password: PASSWORD, code: await code() })).status,
    200,
  );
  const mine = (await platformChain()).filter((e) => e.actorId === owner.userId);
  for (const action of ['auth.two_factor_enabled', 'auth.two_factor_disabled']) {
    const e = findOne(mine, (x) => x.action === action, action);
    assert.equal(e.outcome, 'success');
    assert.equal(e.actorType, 'user');
    assert.equal(e.targetType, 'user');
    assert.equal(e.targetId, owner.userId);
    assert.equal(e.ip, '127.0.0.1');
  }
  const failedEnable = findOne(mine, (x) => x.action === 'auth.two_factor_enable', 'failed enable');
  assert.equal(failedEnable.outcome, 'failure');
  assert.equal(failedEnable.targetId, owner.userId);
  assert.equal(failedEnable.ip, '127.0.0.1');
  assert.ok(!JSON.stringify(mine).includes(setup.body.secret), 'no secret in the audit log');
});

test('workspace events: role change, removal, API key, support access, denied authorization', async () => {
  const owner = await signUpOwner(h.app);
  const agent = await addMember(owner, 'agent');
  const admin = await addMember(owner, 'admin');
  const agentKey = await addApiKey(owner, 'agent');
  agent.ip = '203.0.113.20';
  owner.ip = '203.0.113.21';

  const role = await owner.patch(`/api/v1/members/${admin.userId}`, { role: 'analyst' });
  assert.equal(role.status, 200, JSON.stringify(role.body));
  assert.equal((await owner.delete(`/api/v1/members/${admin.userId}`)).status, 204);
  const key = await owner.post('/api/v1/api-keys', { name: 'CRM sync', role: 'admin' });
  assert.equal(key.status, 201);
  const grant = await owner.post('/api/v1/support-access', { hours: 1, role: 'agent', reason: 'Ticket 7' });
  assert.equal(grant.status, 201);
  const op = new HttpClient(h.app);
  op.cookie = operator.cookie;
  op.workspaceId = owner.workspaceId;
  op.ip = '203.0.113.30';
  assert.equal((await op.get('/api/v1/members')).status, 200);
  assertError(await agent.get('/api/v1/api-keys'), 403, 'forbidden');
  assertError(await agentKey.post('/api/v1/api-keys', { name: 'escalate', role: 'owner' }), 403, 'forbidden');

  const log = await workspaceLog(owner);
  assert.ok(log.every((e) => typeof e.hash === 'string' && e.hash.length >= 32));

  const roleChanged = findOne(log, (e) => e.action === 'member.role_changed', 'role change');
  assert.deepEqual(
    [
      roleChanged.actorType,
      roleChanged.actorId,
      roleChanged.targetType,
      roleChanged.targetId,
      roleChanged.outcome,
      roleChanged.ip,
    ],
    ['user', owner.userId, 'user', admin.userId, 'success', '203.0.113.21'],
  );
  assert.deepEqual(roleChanged.metadata, { from: 'admin', to: 'analyst' });

  const removed = findOne(log, (e) => e.action === 'member.removed', 'removal');
  assert.deepEqual(
    [removed.actorId, removed.targetType, removed.targetId, removed.outcome, removed.ip],
    [owner.userId, 'user', admin.userId, 'success', '203.0.113.21'],
  );

  const created = findOne(
    log,
    (e) => e.action === 'api_key.created' && e.targetId === key.body.apiKey.id,
    'key',
  );
  assert.deepEqual(
    [created.actorType, created.actorId, created.targetType, created.outcome, created.ip],
    ['user', owner.userId, 'api_key', 'success', '203.0.113.21'],
  );
  assert.ok(!JSON.stringify(log).includes(key.body.token), 'no API key secret in the audit log');

  const granted = findOne(log, (e) => e.action === 'support_access.granted', 'grant');
  assert.deepEqual(
    [granted.actorId, granted.targetType, granted.targetId, granted.outcome, granted.ip],
    [owner.userId, 'support_grant', grant.body.id, 'success', '203.0.113.21'],
  );
  const used = findOne(log, (e) => e.action === 'support_access.used', 'use');
  assert.deepEqual(
    [used.actorType, used.actorId, used.targetType, used.targetId, used.outcome, used.ip],
    ['operator', operator.userId, 'support_grant', grant.body.id, 'success', '203.0.113.30'],
  );

  const denied = log.filter((e) => e.action === 'authz.denied');
  assert.equal(denied.length, 2);
  const byAgent = findOne(denied, (e) => e.actorId === agent.userId, 'agent denial');
  assert.equal(byAgent.actorType, 'user');
  assert.equal(byAgent.outcome, 'denied');
  assert.equal(byAgent.ip, '203.0.113.20');
  assert.equal(byAgent.metadata.permission, 'api_keys.manage');
  assert.equal(byAgent.metadata.route, '/api/v1/api-keys');
  const byKey = findOne(denied, (e) => e.actorId === agentKey.apiKeyId, 'api key denial');
  assert.equal(byKey.actorType, 'api_key');
  assert.equal(byKey.outcome, 'denied');

  // Another workspace sees none of it.
  const other = await signUpOwner(h.app);
  const otherLog = await workspaceLog(other);
  assert.ok(otherLog.every((e) => e.targetId !== admin.userId && e.actorId !== owner.userId));
});

test('only owners and admins read and verify the audit log', async () => {
  const owner = await signUpOwner(h.app);
  const admin = await addMember(owner, 'admin');
  const agent = await addMember(owner, 'agent');
  const analystKey = await addApiKey(owner, 'analyst');
  assert.equal((await admin.get('/api/v1/audit-log')).status, 200);
  assert.equal((await admin.post('/api/v1/audit-log/verify')).status, 200);
  assertError(await agent.get('/api/v1/audit-log'), 403, 'forbidden');
  assertError(await agent.post('/api/v1/audit-log/verify'), 403, 'forbidden');
  assertError(await analystKey.get('/api/v1/audit-log'), 403, 'forbidden');
});

test('the workspace audit log pages with a cursor, newest first', async () => {
  const owner = await signUpOwner(h.app);
  for (let i = 0; i < 11; i++) {
    assert.equal(
      (await owner.post('/api/v1/invitations', { email: uniqueEmail(`p${i}`), role: 'agent' })).status,
      201,
    );
  }
  const all = await workspaceLog(owner);
  assert.ok(all.length >= 12, `${all.length} entries`);
  assert.deepEqual(
    all.map((e) => e.seq),
    Array.from({ length: all.length }, (_, i) => all.length - i),
    'seq runs without gaps, newest first',
  );

  const paged: AuditEntry[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/api/v1/audit-log?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await owner.get(url);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.items.length <= 5);
    paged.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
    if (cursor) assert.equal(res.body.items.length, 5, 'only the last page is short');
  } while (cursor && pages < 20);
  assert.equal(pages, Math.ceil(all.length / 5));
  assert.deepEqual(
    paged.map((e) => e.seq),
    all.map((e) => e.seq),
  );

  // An exact multiple of the page size ends with nextCursor null, not an empty page.
  const exact = await owner.get(`/api/v1/audit-log?limit=${all.length}`);
  assert.equal(exact.body.items.length, all.length);
  assert.equal(exact.body.nextCursor, null);

  assertError(await owner.get('/api/v1/audit-log?cursor=garbage'), 400, 'invalid_cursor');
  assert.equal((await owner.get('/api/v1/audit-log?limit=0')).status, 400);
  assert.equal((await owner.get('/api/v1/audit-log?limit=201')).status, 400);
});

test('verify reports an intact chain', async () => {
  const owner = await signUpOwner(h.app);
  await addMember(owner, 'agent');
  await addApiKey(owner, 'admin');
  const res = await owner.post('/api/v1/audit-log/verify');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.ok, true);
  assert.equal(res.body.count, (await workspaceLog(owner)).length);
});

test('the application role cannot update or delete audit rows', async () => {
  const owner = await signUpOwner(h.app);
  await addMember(owner, 'agent');
  const before = await workspaceLog(owner);
  const workspaceId = owner.workspaceId!;
  const attempts = [
    sql`update audit_log set action = 'x'`,
    sql`update audit_log set metadata = '{}'::jsonb where workspace_id = ${workspaceId}`,
    sql`delete from audit_log`,
    sql`delete from audit_log where workspace_id = ${workspaceId}`,
    sql`truncate audit_log`,
  ];
  for (const statement of attempts) {
    await assert.rejects(
      h.ctx.db.run({ workspaceId }, (tx) => tx.execute(statement)),
      refusedByDatabase,
      'the application role must not change the audit log',
    );
  }
  // Nor from the platform scope or as the operator.
  await assert.rejects(
    h.ctx.db.run({}, (tx) => tx.execute(sql`update audit_log set action = 'x'`)),
    refusedByDatabase,
  );
  await assert.rejects(
    h.ctx.db.run({ operator: true, userId: operator.userId }, (tx) => tx.execute(sql`delete from audit_log`)),
    refusedByDatabase,
  );
  assert.deepEqual(await workspaceLog(owner), before);
  assert.equal((await owner.post('/api/v1/audit-log/verify')).body.ok, true);
});

test('an edited row breaks the chain and verify says where', async () => {
  const owner = await signUpOwner(h.app);
  await addMember(owner, 'agent');
  await addApiKey(owner, 'admin');
  const workspaceId = owner.workspaceId!;
  assert.equal((await owner.post('/api/v1/audit-log/verify')).body.ok, true);

  await h.ctx.db.asOwner(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await tx.execute(
      sql`update audit_log set action = 'member.nothing_to_see' where workspace_id = ${workspaceId} and seq = 2`,
    );
    await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  });
  const res = await owner.post('/api/v1/audit-log/verify');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body, { ok: false, brokenAtSeq: 2, reason: 'hash_mismatch' });

  // The trigger is back on: the application role still cannot touch the rows.
  await assert.rejects(
    h.ctx.db.run({ workspaceId }, (tx) => tx.execute(sql`update audit_log set action = 'x'`)),
    refusedByDatabase,
  );
  // Other workspaces' chains are unaffected.
  const other = await signUpOwner(h.app);
  assert.equal((await other.post('/api/v1/audit-log/verify')).body.ok, true);
});

test('a deleted row is found as a gap in the sequence', async () => {
  const owner = await signUpOwner(h.app);
  await addMember(owner, 'agent');
  await addApiKey(owner, 'admin');
  const workspaceId = owner.workspaceId!;
  await h.ctx.db.asOwner(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await tx.execute(sql`delete from audit_log where workspace_id = ${workspaceId} and seq = 2`);
    await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  });
  const res = await owner.post('/api/v1/audit-log/verify');
  assert.deepEqual(res.body, { ok: false, brokenAtSeq: 3, reason: 'sequence_gap' });
});
