import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateTotpCode, type AuditEntry } from '@parley/core';
import { auditRepository } from '@parley/db';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';
import { HttpClient, type Response } from './helpers/http-client.ts';
import { PASSWORD, signUpOwner, uniqueEmail } from './helpers/factories.ts';

// The real limit (10 tries per 15 minutes per account and per IP). Sign-ups count per IP too, so
// this file makes few accounts, and each test uses addresses of its own for its attempts.
const MAX = 10;
const WINDOW_MS = 15 * 60_000;

let h: TestHarness;
before(async () => {
  h = await createTestApp({ AUTH_RATE_LIMIT_MAX: String(MAX), AUTH_RATE_LIMIT_WINDOW_MINUTES: '15' });
});
after(async () => h.close());

let nextIp = 1;
/** A client from an address no other test uses. */
function clientFromNewIp(): HttpClient {
  const c = new HttpClient(h.app);
  c.ip = `198.51.100.${nextIp++}`;
  return c;
}

function assertRateLimited(res: Response): number {
  assert.equal(res.status, 429, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter), `Retry-After is whole seconds: ${res.headers['retry-after']}`);
  assert.ok(retryAfter > 0 && retryAfter <= WINDOW_MS / 1000, `Retry-After ${retryAfter}`);
  return retryAfter;
}

function login(client: HttpClient, email: string, password: string) {
  return client.post('/api/v1/auth/login', { email, password });
}

async function platformChain(): Promise<AuditEntry[]> {
  return h.ctx.db.run({}, (tx) => auditRepository(tx).list(null, { beforeSeq: null, limit: 500 }));
}

test('per account: after 10 failures even the right password is refused until the window passes', async () => {
  const owner = await signUpOwner(h.app);
  // Spread over several addresses so that only the account limit applies.
  for (let i = 0; i < MAX; i++) {
    const res = await login(clientFromNewIp(), owner.email, `wrong password ${i}`);
    assert.equal(res.status, 401, `attempt ${i + 1}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'invalid_credentials');
  }
  const eleventh = await login(clientFromNewIp(), owner.email, PASSWORD);
  const retryAfter = assertRateLimited(eleventh);
  assert.equal(eleventh.body.status, undefined, 'not signed in');
  assert.equal(eleventh.raw.cookies.length, 0, 'no session cookie');
  // The email's case and surrounding spaces do not make a new account key.
  assertRateLimited(await login(clientFromNewIp(), ` ${owner.email.toUpperCase()} `, PASSWORD));

  // The session the owner already has is not affected.
  assert.equal((await owner.get('/api/v1/auth/me')).status, 200);

  h.clock.advance(retryAfter * 1000 - 5_000);
  assertRateLimited(await login(clientFromNewIp(), owner.email, PASSWORD));
  h.clock.advance(WINDOW_MS);
  const ok = await login(clientFromNewIp(), owner.email, PASSWORD);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.status, 'signed_in');
});

test('a successful sign-in clears the account’s failures', async () => {
  const owner = await signUpOwner(h.app);
  const client = clientFromNewIp();
  for (let i = 0; i < MAX - 1; i++) {
    assert.equal((await login(clientFromNewIp(), owner.email, 'wrong password!')).status, 401);
  }
  assert.equal((await login(client, owner.email, PASSWORD)).status, 200);
  for (let i = 0; i < MAX - 1; i++) {
    assert.equal((await login(clientFromNewIp(), owner.email, 'wrong password!')).status, 401);
  }
  assert.equal((await login(clientFromNewIp(), owner.email, PASSWORD)).status, 200);
});

test('per IP: 11 attempts across accounts from one address are refused; another address gets through', async () => {
  const owner = await signUpOwner(h.app);
  const attacker = clientFromNewIp();
  for (let i = 0; i < MAX; i++) {
    // Different accounts each time (most of them do not exist): only the address is common.
    const res = await login(attacker, uniqueEmail(`victim${i}`), 'guessing a password');
    assert.equal(res.status, 401, `attempt ${i + 1}: ${JSON.stringify(res.body)}`);
  }
  assertRateLimited(await login(attacker, owner.email, PASSWORD));
  assertRateLimited(await login(attacker, uniqueEmail('another'), 'guessing a password'));

  const elsewhere = clientFromNewIp();
  const ok = await login(elsewhere, owner.email, PASSWORD);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));

  h.clock.advance(WINDOW_MS);
  assert.equal((await login(attacker, owner.email, PASSWORD)).status, 200, 'the address may try again');
});

test('2FA codes are limited per account and per IP', async () => {
  const owner = await signUpOwner(h.app);
  const setup = await owner.post('/api/v1/auth/2fa/setup');
  const secret: string = setup.body.secret;
  h.clock.advance(30_000);
  const enable = await owner.post('/api/v1/auth/2fa/enable', {
    code: await generateTotpCode(secret, h.clock.now()),
  });
  assert.equal(enable.status, 200, JSON.stringify(enable.body));
  h.clock.advance(WINDOW_MS); // the enrolment's own attempt is out of the window

  const pending = async (client: HttpClient) => {
    const res = await login(client, owner.email, PASSWORD);
    assert.equal(res.body.status, 'two_factor_required', JSON.stringify(res.body));
    return client;
  };

  // Per account, from several addresses.
  let client = await pending(clientFromNewIp());
  for (let i = 0; i < MAX; i++) {
    if (i % 3 === 2) client = await pending(clientFromNewIp());
    const res = await client.post('/api/v1/auth/login/2fa', { code: '000000' });
    assert.equal(res.status, 401, `attempt ${i + 1}: ${JSON.stringify(res.body)}`);
  }
  client = await pending(clientFromNewIp());
  h.clock.advance(30_000);
  const right = await generateTotpCode(secret, h.clock.now());
  assertRateLimited(await client.post('/api/v1/auth/login/2fa', { code: right }));
  assertRateLimited(
    await client.post('/api/v1/auth/login/2fa', { recoveryCode: enable.body.recoveryCodes[0] }),
  );

  // After the window, the right code works (on a fresh pending session: the old one timed out).
  h.clock.advance(WINDOW_MS);
  client = await pending(clientFromNewIp());
  const ok = await client.post('/api/v1/auth/login/2fa', {
    code: await generateTotpCode(secret, h.clock.now()),
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));

  // Per IP: one address working through several accounts' second steps.
  const second = await signUpOwner(h.app);
  const setup2 = await second.post('/api/v1/auth/2fa/setup');
  h.clock.advance(30_000);
  assert.equal(
    (
      await second.post('/api/v1/auth/2fa/enable', {
        code: await generateTotpCode(setup2.body.secret, h.clock.now()),
      })
    ).status,
    200,
  );
  h.clock.advance(WINDOW_MS);
  const attacker = clientFromNewIp();
  for (const email of [owner.email, second.email]) {
    const res = await login(attacker, email, PASSWORD);
    assert.equal(res.body.status, 'two_factor_required', JSON.stringify(res.body));
    for (let i = 0; i < MAX / 2; i++) {
      assert.equal((await attacker.post('/api/v1/auth/login/2fa', { code: '000000' })).status, 401);
    }
  }
  assertRateLimited(
    await attacker.post('/api/v1/auth/login/2fa', {
      code: await generateTotpCode(setup2.body.secret, h.clock.now()),
    }),
  );
  // The other account's own user, elsewhere, is not locked out by that address (per-account counts were 5 each).
  const elsewhere = await pending(clientFromNewIp());
  h.clock.advance(30_000);
  const fine = await elsewhere.post('/api/v1/auth/login/2fa', {
    code: await generateTotpCode(secret, h.clock.now()),
  });
  assert.equal(fine.status, 200, JSON.stringify(fine.body));
});

test('password reset requests are limited per account and per IP', async () => {
  const owner = await signUpOwner(h.app);
  for (let i = 0; i < MAX; i++) {
    const res = await clientFromNewIp().post('/api/v1/auth/password-reset', { email: owner.email });
    assert.equal(res.status, 202, `request ${i + 1}: ${JSON.stringify(res.body)}`);
  }
  assertRateLimited(await clientFromNewIp().post('/api/v1/auth/password-reset', { email: owner.email }));

  const spammer = clientFromNewIp();
  for (let i = 0; i < MAX; i++) {
    const res = await spammer.post('/api/v1/auth/password-reset', { email: uniqueEmail(`r${i}`) });
    assert.equal(res.status, 202, `request ${i + 1}: ${JSON.stringify(res.body)}`);
  }
  assertRateLimited(await spammer.post('/api/v1/auth/password-reset', { email: uniqueEmail('r-last') }));

  // Guessing reset tokens counts against the address too.
  const guesser = clientFromNewIp();
  for (let i = 0; i < MAX; i++) {
    const res = await guesser.post('/api/v1/auth/password-reset/confirm', {
      token: `guessed-token-${i}-xxxxxxxx`,
      newPassword: 'a new long passphrase',
    });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'invalid_token');
  }
  assertRateLimited(
    await guesser.post('/api/v1/auth/password-reset/confirm', {
      token: 'guessed-token-last-xxxxxxxx',
      newPassword: 'a new long passphrase',
    }),
  );

  h.clock.advance(WINDOW_MS);
  assert.equal(
    (await clientFromNewIp().post('/api/v1/auth/password-reset', { email: owner.email })).status,
    202,
  );
  assert.equal((await spammer.post('/api/v1/auth/password-reset', { email: uniqueEmail() })).status, 202);
});

test('failed sign-ins are in the platform audit chain with outcome failure', async () => {
  const owner = await signUpOwner(h.app);
  const client = clientFromNewIp();
  assert.equal((await login(client, owner.email, 'wrong password!')).status, 401);
  const ghost = uniqueEmail('ghost');
  assert.equal((await login(client, ghost, 'wrong password!')).status, 401);
  assert.equal((await login(client, owner.email, PASSWORD)).status, 200);

  const chain = await platformChain();
  const failed = chain.find(
    (e) => e.action === 'auth.sign_in' && e.outcome === 'failure' && e.actorId === owner.userId,
  );
  assert.ok(failed, 'the failed sign-in of a known account is audited');
  assert.equal(failed.workspaceId, null);
  assert.equal(failed.ip, client.ip);
  assert.equal(failed.metadata.code, 'invalid_credentials');
  assert.ok(!JSON.stringify(failed).includes('wrong password'), 'no password in the log');

  const unknown = chain.find(
    (e) => e.action === 'auth.sign_in' && e.outcome === 'failure' && e.metadata.email === ghost,
  );
  assert.ok(unknown, 'a sign-in to an unknown account is audited too');
  assert.equal(unknown.actorType, 'anonymous');
  assert.equal(unknown.ip, client.ip);

  const ok = chain.find(
    (e) => e.action === 'auth.sign_in' && e.outcome === 'success' && e.actorId === owner.userId,
  );
  assert.ok(ok);
  assert.equal(ok.ip, client.ip);
});

test('a refused (rate-limited) attempt is itself in the audit log', async () => {
  const c = clientFromNewIp();
  for (let i = 0; i <= MAX; i++) await login(c, uniqueEmail('nobody'), 'whatever password');
  const entries = await platformChain();
  const limited = entries.find((e) => e.action === 'auth.rate_limited' && e.ip === c.ip);
  assert.ok(limited, 'auth.rate_limited recorded');
  assert.equal(limited.outcome, 'failure');
  assert.deepEqual(limited.metadata.limits, ['login:ip', 'login:account']);
});
