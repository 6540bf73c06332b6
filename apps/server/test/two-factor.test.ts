import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateTotpCode, type AuditEntry } from '@parley/core';
import { auditRepository } from '@parley/db';
import { assertError } from './helpers/assertions.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';
import { HttpClient } from './helpers/http-client.ts';
import { addMember, PASSWORD, signUpOwner } from './helpers/factories.ts';

let h: TestHarness;
before(async () => {
  h = await createTestApp();
});
after(async () => h.close());

/** A code from the next 30-second step: each step's code works once, so every use moves the clock on. */
async function freshCode(secret: string): Promise<string> {
  h.clock.advance(30_000);
  return generateTotpCode(secret, h.clock.now());
}

/** Turns 2FA on for a signed-in client; returns the secret and the recovery codes. */
async function enrol(client: HttpClient): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await client.post('/api/v1/auth/2fa/setup');
  assert.equal(setup.status, 200, JSON.stringify(setup.body));
  const enable = await client.post('/api/v1/auth/2fa/enable', { code: await freshCode(setup.body.secret) });
  assert.equal(enable.status, 200, JSON.stringify(enable.body));
  return { secret: setup.body.secret, recoveryCodes: enable.body.recoveryCodes };
}

/** Password step of sign-in for a user with 2FA: a client holding the pending session. */
async function passwordStep(email: string): Promise<HttpClient> {
  const client = new HttpClient(h.app);
  const res = await client.post('/api/v1/auth/login', { email, password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), ['csrfToken', 'status']);
  assert.equal(res.body.status, 'two_factor_required');
  assert.ok(client.cookie, 'a pending session cookie is set');
  return client;
}

async function platformChain(): Promise<AuditEntry[]> {
  return h.ctx.db.run({}, (tx) => auditRepository(tx).list(null, { beforeSeq: null, limit: 200 }));
}

test('enrolment: setup, enable with a valid code, ten recovery codes shown once', async () => {
  const owner = await signUpOwner(h.app);
  const setup = await owner.post('/api/v1/auth/2fa/setup');
  assert.equal(setup.status, 200, JSON.stringify(setup.body));
  assert.match(setup.body.secret, /^[A-Z2-7]{16,}$/);
  assert.ok(setup.body.otpauthUri.startsWith('otpauth://totp/'));
  assert.ok(setup.body.otpauthUri.includes(`secret=${setup.body.secret}`));
  assert.ok(setup.body.otpauthUri.includes('issuer=Parley'));

  // Not on until a code from the secret is confirmed.
  assert.equal((await owner.get('/api/v1/auth/me')).body.user.twoFactorEnabled, false);
  assertError(
    await owner.post('/api/v1/auth/2fa/enable', { code: '000000' }),
    401,
    'invalid_two_factor_code',
  );
  const wrongSecret = await generateTotpCode('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', h.clock.now());
  assertError(
    await owner.post('/api/v1/auth/2fa/enable', { code: wrongSecret }),
    401,
    'invalid_two_factor_code',
  );

  const cookieBefore = owner.cookie;
  const enable = await owner.post('/api/v1/auth/2fa/enable', { code: await freshCode(setup.body.secret) });
  assert.equal(enable.status, 200, JSON.stringify(enable.body));
  const codes: string[] = enable.body.recoveryCodes;
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  assert.notEqual(owner.cookie, cookieBefore, 'the session rotates when 2FA is turned on');
  const me = await owner.get('/api/v1/auth/me');
  assert.equal(me.body.user.twoFactorEnabled, true);
  // Shown once: nothing else returns them.
  assert.ok(!JSON.stringify(me.body).includes(codes[0]!));
  assertError(await owner.post('/api/v1/auth/2fa/setup'), 409, 'two_factor_already_enabled');
  assertError(
    await owner.post('/api/v1/auth/2fa/enable', { code: await freshCode(setup.body.secret) }),
    409,
    'two_factor_not_started',
  );
});

test('enable without setup is refused', async () => {
  const owner = await signUpOwner(h.app);
  assertError(await owner.post('/api/v1/auth/2fa/enable', { code: '123456' }), 409, 'two_factor_not_started');
});

test('sign-in with 2FA: a pending session can do nothing else; the code gives a new cookie', async () => {
  const owner = await signUpOwner(h.app);
  const { secret } = await enrol(owner);
  const client = await passwordStep(owner.email);
  const pendingCookie = client.cookie;
  client.workspaceId = owner.workspaceId;

  assertError(await client.get('/api/v1/auth/me'), 401, 'two_factor_pending');
  assertError(await client.get('/api/v1/auth/sessions'), 401, 'two_factor_pending');
  assertError(await client.get('/api/v1/members'), 401, 'two_factor_pending');
  assertError(await client.get('/api/v1/workspace'), 401, 'two_factor_pending');
  assertError(await client.post('/api/v1/auth/2fa/setup'), 401, 'two_factor_pending');
  assertError(
    await client.post('/api/v1/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
    }),
    401,
    'two_factor_pending',
  );
  assertError(
    await client.post('/api/v1/invitations', { email: 'x@example.test', role: 'agent' }),
    401,
    'two_factor_pending',
  );
  assertError(await client.get('/api/v1/operator/workspaces'), 401, 'two_factor_pending');

  const wrong = await client.post('/api/v1/auth/login/2fa', { code: '000000' });
  assertError(wrong, 401, 'invalid_two_factor_code');

  const done = await client.post('/api/v1/auth/login/2fa', { code: await freshCode(secret) });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'signed_in');
  assert.equal(done.body.user.id, owner.userId);
  assert.equal(done.body.recoveryCodesLeft, null);
  assert.notEqual(client.cookie, pendingCookie, 'a new session, not the pending one');
  assert.equal((await client.get('/api/v1/auth/me')).status, 200);
  assert.equal((await client.get('/api/v1/members')).status, 200);

  // The pending cookie is spent.
  const old = new HttpClient(h.app);
  old.cookie = pendingCookie;
  old.csrf = client.csrf;
  assertError(await old.get('/api/v1/auth/me'), 401, 'session_expired');
  assert.notEqual(
    (await old.post('/api/v1/auth/login/2fa', { code: await freshCode(secret) })).status,
    200,
    'the pending session cannot be completed twice',
  );
});

test('a TOTP code cannot be replayed, and a fully signed-in session cannot use the 2FA step', async () => {
  const owner = await signUpOwner(h.app);
  const { secret } = await enrol(owner);
  const code = await freshCode(secret);
  const first = await passwordStep(owner.email);
  assert.equal((await first.post('/api/v1/auth/login/2fa', { code })).status, 200);
  const second = await passwordStep(owner.email);
  assertError(await second.post('/api/v1/auth/login/2fa', { code }), 401, 'invalid_two_factor_code');
  // A code from far in the past or future is refused.
  const stale = await generateTotpCode(secret, new Date(h.clock.now().getTime() - 10 * 60_000));
  assertError(await second.post('/api/v1/auth/login/2fa', { code: stale }), 401, 'invalid_two_factor_code');
  assert.equal((await second.post('/api/v1/auth/login/2fa', { code: await freshCode(secret) })).status, 200);
  assertError(
    await second.post('/api/v1/auth/login/2fa', { code: await freshCode(secret) }),
    409,
    'two_factor_not_pending',
  );
});

test('the pending step expires after 10 minutes', async () => {
  const owner = await signUpOwner(h.app);
  const { secret } = await enrol(owner);
  const client = await passwordStep(owner.email);
  h.clock.advance(10 * 60_000 + 1000);
  const res = await client.post('/api/v1/auth/login/2fa', { code: await freshCode(secret) });
  assertError(res, 401, 'session_expired');
});

test('a recovery code works once and only once', async () => {
  const owner = await signUpOwner(h.app);
  const { recoveryCodes } = await enrol(owner);
  const [code, other] = recoveryCodes;
  assert.ok(code && other);

  const a = await passwordStep(owner.email);
  const ok = await a.post('/api/v1/auth/login/2fa', { recoveryCode: code });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.recoveryCodesLeft, 9);
  assert.equal((await a.get('/api/v1/auth/me')).status, 200);

  const b = await passwordStep(owner.email);
  assertError(await b.post('/api/v1/auth/login/2fa', { recoveryCode: code }), 401, 'invalid_two_factor_code');
  assertError(
    await b.post('/api/v1/auth/login/2fa', { recoveryCode: 'aaaaa-bbbbb-ccccc' }),
    401,
    'invalid_two_factor_code',
  );
  // Formatting is forgiven: case and separators.
  const relaxed = other.toUpperCase();
  const ok2 = await b.post('/api/v1/auth/login/2fa', { recoveryCode: relaxed });
  assert.equal(ok2.status, 200, JSON.stringify(ok2.body));
  assert.equal(ok2.body.recoveryCodesLeft, 8);
});

test('regenerating recovery codes replaces the old ones', async () => {
  const owner = await signUpOwner(h.app);
  const { secret, recoveryCodes: old } = await enrol(owner);
  assertError(
    await owner.post('/api/v1/auth/2fa/recovery-codes', { code: '000000' }),
    401,
    'invalid_two_factor_code',
  );
  const res = await owner.post('/api/v1/auth/2fa/recovery-codes', { code: await freshCode(secret) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const fresh: string[] = res.body.recoveryCodes;
  assert.equal(fresh.length, 10);
  assert.ok(!fresh.some((c) => old.includes(c)));

  const a = await passwordStep(owner.email);
  assertError(
    await a.post('/api/v1/auth/login/2fa', { recoveryCode: old[0] }),
    401,
    'invalid_two_factor_code',
  );
  const ok = await a.post('/api/v1/auth/login/2fa', { recoveryCode: fresh[0] });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.recoveryCodesLeft, 9);
});

test('disable needs the password and a current code; sign-in then needs one factor', async () => {
  const owner = await signUpOwner(h.app);
  const { secret, recoveryCodes } = await enrol(owner);
  assertError(
    await owner.post('/api/v1/auth/2fa/disable', {
      password: 'wrong password!',
      code: await freshCode(secret),
    }),
    401,
    'invalid_credentials',
  );
  assertError(
    await owner.post('/api/v1/auth/2fa/disable', { password: PASSWORD, code: '000000' }),
    401,
    'invalid_credentials',
  );
  assert.equal((await owner.get('/api/v1/auth/me')).body.user.twoFactorEnabled, true);
  const res = await owner.post('/api/v1/auth/2fa/disable', {
    password: PASSWORD,
    code: await freshCode(secret),
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal((await owner.get('/api/v1/auth/me')).body.user.twoFactorEnabled, false);
  assertError(
    await owner.post('/api/v1/auth/2fa/disable', { password: PASSWORD, code: await freshCode(secret) }),
    409,
    'two_factor_not_enabled',
  );

  const client = new HttpClient(h.app);
  const login = await client.post('/api/v1/auth/login', { email: owner.email, password: PASSWORD });
  assert.equal(login.body.status, 'signed_in');
  assertError(
    await client.post('/api/v1/auth/login/2fa', { code: await freshCode(secret) }),
    409,
    'two_factor_not_pending',
  );

  // Re-enrolling issues a new secret; the old secret and the old recovery codes no longer work.
  const again = await enrol(owner);
  assert.notEqual(again.secret, secret);
  const pending = await passwordStep(owner.email);
  assertError(
    await pending.post('/api/v1/auth/login/2fa', { code: await freshCode(secret) }),
    401,
    'invalid_two_factor_code',
  );
  assertError(
    await pending.post('/api/v1/auth/login/2fa', { recoveryCode: recoveryCodes[0] }),
    401,
    'invalid_two_factor_code',
  );
  assert.equal(
    (await pending.post('/api/v1/auth/login/2fa', { code: await freshCode(again.secret) })).status,
    200,
  );
});

test('a workspace that requires 2FA refuses members without it until they enrol', async () => {
  const owner = await signUpOwner(h.app);
  await enrol(owner);
  const agent = await addMember(owner, 'agent');
  assert.equal((await agent.get('/api/v1/members')).status, 200);

  const patch = await owner.patch('/api/v1/workspace', { require2fa: true });
  assert.equal(patch.status, 200, JSON.stringify(patch.body));
  assert.equal(patch.body.require2fa, true);
  assert.equal((await owner.get('/api/v1/workspace')).body.require2fa, true);
  assert.equal((await owner.get('/api/v1/members')).status, 200, 'the owner has 2FA');

  assertError(await agent.get('/api/v1/members'), 403, 'two_factor_enrollment_required');
  assertError(await agent.get('/api/v1/workspace'), 403, 'two_factor_enrollment_required');
  // The account routes stay open so that they can enrol.
  assert.equal((await agent.get('/api/v1/auth/me')).status, 200);
  await enrol(agent);
  assert.equal((await agent.get('/api/v1/members')).status, 200);
  const members = (await owner.get('/api/v1/members')).body.items;
  assert.ok(members.every((m: { twoFactorEnabled: boolean }) => m.twoFactorEnabled));

  // An agent cannot lift the requirement.
  assertError(await agent.patch('/api/v1/workspace', { require2fa: false }), 403, 'forbidden');
});

test('2FA changes are in the platform audit chain', async () => {
  const owner = await signUpOwner(h.app);
  const { secret } = await enrol(owner);
  const client = await passwordStep(owner.email);
  assertError(
    await client.post('/api/v1/auth/login/2fa', { code: '000000' }),
    401,
    'invalid_two_factor_code',
  );
  assert.equal((await client.post('/api/v1/auth/login/2fa', { code: await freshCode(secret) })).status, 200);
  assert.equal(
    (await owner.post('/api/v1/auth/2fa/recovery-codes', { code: await freshCode(secret) })).status,
    200,
  );
  assert.equal(
    (await owner.post('/api/v1/auth/2fa/disable', { password: PASSWORD, code: await freshCode(secret) }))
      .status,
    200,
  );

  const mine = (await platformChain()).filter((e) => e.actorId === owner.userId);
  const find = (action: string, outcome = 'success') =>
    mine.find((e) => e.action === action && e.outcome === outcome);
  for (const action of [
    'auth.two_factor_enabled',
    'auth.two_factor_disabled',
    'auth.recovery_codes_regenerated',
  ]) {
    const e = find(action);
    assert.ok(e, `${action} is audited`);
    assert.equal(e.workspaceId, null);
    assert.equal(e.actorType, 'user');
    assert.equal(e.targetId, owner.userId);
    assert.equal(e.ip, '127.0.0.1');
  }
  const signedIn = mine.find((e) => e.action === 'auth.sign_in' && e.metadata.method === 'totp');
  assert.ok(signedIn, 'the sign-in records its second factor');
  assert.ok(find('auth.two_factor', 'failure'), 'a wrong second factor is audited');
  // No secret or code in the log.
  assert.ok(!JSON.stringify(mine).includes(secret));
});
