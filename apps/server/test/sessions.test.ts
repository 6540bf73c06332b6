import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateTotpCode } from '@parley/core';
import { assertError } from './helpers/assertions.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';
import { HttpClient, type Response } from './helpers/http-client.ts';
import { addApiKey, addMember, PASSWORD, signIn, signUpOwner, uniqueEmail } from './helpers/factories.ts';

let h: TestHarness;
before(async () => {
  h = await createTestApp();
});
after(async () => h.close());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NEW_PASSWORD = 'another long passphrase 2';

/** A client that presents a given session cookie (another tab of the same browser, or a stolen cookie). */
function withCookie(client: HttpClient, cookie: string | null): HttpClient {
  const c = new HttpClient(client.app);
  c.cookie = cookie;
  c.csrf = client.csrf;
  c.workspaceId = client.workspaceId;
  return c;
}

function setCookieHeader(res: Response): string {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : [raw ?? ''];
  const mine = all.find((c) => c.startsWith('parley_session='));
  assert.ok(mine, `no parley_session cookie in ${JSON.stringify(raw)}`);
  return mine;
}

/** The newest reset link the server logged for this account (no mail transport: it goes to the log). */
function resetTokenFromLogs(userId: string): string {
  for (const line of [...h.logs].reverse()) {
    if (!line.includes('password_reset_link') || !line.includes(userId)) continue;
    const m = /reset-password#token=([A-Za-z0-9_-]+)/.exec(line);
    if (m?.[1]) return m[1];
  }
  assert.fail('no reset link in the server log');
}

describe('sign-up, sign-in, sign-out', () => {
  test('sign-up signs in with an HttpOnly, SameSite=Lax, Path=/ cookie', async () => {
    const client = new HttpClient(h.app);
    const email = uniqueEmail('cookie');
    const res = await client.post('/api/v1/auth/signup', {
      email,
      password: PASSWORD,
      name: 'Cookie',
      workspaceName: 'Cookie Co',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'signed_in');
    assert.equal(typeof res.body.csrfToken, 'string');
    const cookie = setCookieHeader(res);
    assert.match(cookie, /;\s*HttpOnly/i);
    assert.match(cookie, /;\s*SameSite=Lax/i);
    assert.match(cookie, /;\s*Path=\/(;|$)/);
    assert.match(cookie, /;\s*Max-Age=\d+/i);

    const login = await new HttpClient(h.app).post('/api/v1/auth/login', { email, password: PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const loginCookie = setCookieHeader(login);
    assert.match(loginCookie, /;\s*HttpOnly/i);
    assert.match(loginCookie, /;\s*SameSite=Lax/i);
    assert.match(loginCookie, /;\s*Path=\/(;|$)/);
  });

  test('sign-in, me, sign-out; the signed-out cookie no longer works', async () => {
    const owner = await signUpOwner(h.app);
    const client = await signIn(h.app, owner.email);
    const me = await client.get('/api/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, owner.email);
    assert.equal(me.body.workspaces[0].role, 'owner');
    const cookie = client.cookie;
    const out = await client.post('/api/v1/auth/logout');
    assert.equal(out.status, 204);
    assert.equal(client.cookie, null, 'the cookie is cleared');
    assertError(await withCookie(client, cookie).get('/api/v1/auth/me'), 401, 'session_expired');
    // The owner's other session (from sign-up) is untouched.
    assert.equal((await owner.get('/api/v1/auth/me')).status, 200);
  });

  test('a wrong password or an unknown account gets the same 401', async () => {
    const owner = await signUpOwner(h.app);
    const wrong = await new HttpClient(h.app).post('/api/v1/auth/login', {
      email: owner.email,
      password: 'not the password',
    });
    assertError(wrong, 401, 'invalid_credentials');
    const unknown = await new HttpClient(h.app).post('/api/v1/auth/login', {
      email: uniqueEmail('nobody'),
      password: PASSWORD,
    });
    assertError(unknown, 401, 'invalid_credentials');
    assert.equal(unknown.body.error.message, wrong.body.error.message);
  });

  test('unauthenticated requests get 401 unauthenticated', async () => {
    const anon = new HttpClient(h.app);
    assertError(await anon.get('/api/v1/auth/me'), 401, 'unauthenticated');
    assertError(await anon.get('/api/v1/members'), 401, 'unauthenticated');
    assertError(await anon.get('/api/v1/auth/sessions'), 401, 'unauthenticated');
    assertError(
      await anon.post('/api/v1/invitations', { email: uniqueEmail(), role: 'agent' }),
      401,
      'unauthenticated',
    );
    const forged = new HttpClient(h.app);
    forged.cookie = 'not-a-real-session-token';
    assertError(await forged.get('/api/v1/auth/me'), 401, 'session_expired');
  });
});

describe('rotation and timeouts', () => {
  test('signing in again in the same browser rotates the session: the old cookie is revoked', async () => {
    const owner = await signUpOwner(h.app);
    const browser = await signIn(h.app, owner.email);
    const first = browser.cookie;
    const again = await browser.post('/api/v1/auth/login', { email: owner.email, password: PASSWORD });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.notEqual(browser.cookie, first, 'a new token is issued');
    assert.equal((await browser.get('/api/v1/auth/me')).status, 200);
    assertError(await withCookie(browser, first).get('/api/v1/auth/me'), 401, 'session_expired');
    // Another device's session is not affected by this browser's sign-in.
    assert.equal((await owner.get('/api/v1/auth/me')).status, 200);
  });

  test('idle timeout: activity keeps the session alive; 8 h without a request ends it', async () => {
    const owner = await signUpOwner(h.app);
    h.clock.advance(7 * HOUR);
    assert.equal((await owner.get('/api/v1/auth/me')).status, 200, 'still within the idle limit');
    h.clock.advance(7 * HOUR);
    assert.equal((await owner.get('/api/v1/members')).status, 200, 'the last request reset the idle timer');
    h.clock.advance(8 * HOUR + MINUTE);
    assertError(await owner.get('/api/v1/auth/me'), 401, 'session_expired');
    assertError(await owner.get('/api/v1/members'), 401, 'session_expired');
    // Signing in again works.
    const again = await signIn(h.app, owner.email);
    assert.equal((await again.get('/api/v1/auth/me')).status, 200);
  });

  test('absolute timeout: 14 days after sign-in the session ends however active it is', async () => {
    const owner = await signUpOwner(h.app);
    const client = await signIn(h.app, owner.email);
    // A request every 6 hours for just under 14 days keeps it alive...
    for (let elapsed = 0; elapsed + 6 * HOUR < 336 * HOUR; elapsed += 6 * HOUR) {
      h.clock.advance(6 * HOUR);
      const res = await client.get('/api/v1/auth/me');
      assert.equal(res.status, 200, `alive after ${(elapsed + 6 * HOUR) / HOUR} h`);
    }
    // ...then it hits the absolute limit.
    h.clock.advance(6 * HOUR);
    assertError(await client.get('/api/v1/auth/me'), 401, 'session_expired');
  });
});

describe('sessions list', () => {
  test('lists live sessions, marks the current one, and revokes another', async () => {
    const owner = await signUpOwner(h.app);
    const laptop = await signIn(h.app, owner.email);
    const phone = await signIn(h.app, owner.email);
    const list = await laptop.get('/api/v1/auth/sessions');
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 3);
    const current = list.body.items.filter((s: { current: boolean }) => s.current);
    assert.equal(current.length, 1);
    for (const s of list.body.items) {
      assert.equal(s.ip, '127.0.0.1');
      assert.equal('tokenHash' in s, false, 'no token material in the view');
    }

    const phoneSession = (await phone.get('/api/v1/auth/sessions')).body.items.find(
      (s: { current: boolean }) => s.current,
    );
    const del = await laptop.delete(`/api/v1/auth/sessions/${phoneSession.id}`);
    assert.equal(del.status, 204, JSON.stringify(del.body));
    assertError(await phone.get('/api/v1/auth/me'), 401, 'session_expired');
    assert.equal((await laptop.get('/api/v1/auth/me')).status, 200);
    const after = await laptop.get('/api/v1/auth/sessions');
    assert.equal(after.body.items.length, 2);
    assert.ok(!after.body.items.some((s: { id: string }) => s.id === phoneSession.id));

    // Revoking it again, or someone else's session, is a 404.
    assertError(await laptop.delete(`/api/v1/auth/sessions/${phoneSession.id}`), 404, 'not_found');
    const stranger = await signUpOwner(h.app);
    const strangerSession = (await stranger.get('/api/v1/auth/sessions')).body.items[0];
    assertError(await laptop.delete(`/api/v1/auth/sessions/${strangerSession.id}`), 404, 'not_found');
    assert.equal((await stranger.get('/api/v1/auth/me')).status, 200);
  });
});

describe('sessions end on security changes', () => {
  test('password change ends every session; this device continues with a new cookie', async () => {
    const owner = await signUpOwner(h.app);
    const other = await signIn(h.app, owner.email);
    const oldCookie = owner.cookie;
    const res = await owner.post('/api/v1/auth/password', {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.notEqual(owner.cookie, oldCookie, 'this device got a new session');
    assertError(await other.get('/api/v1/auth/me'), 401, 'session_expired');
    assertError(await withCookie(owner, oldCookie).get('/api/v1/auth/me'), 401, 'session_expired');
    assert.equal((await owner.get('/api/v1/auth/me')).status, 200);
    // The new CSRF token goes with the new cookie.
    const inv = await owner.post('/api/v1/invitations', { email: uniqueEmail(), role: 'agent' });
    assert.equal(inv.status, 201, JSON.stringify(inv.body));

    const oldPw = await new HttpClient(h.app).post('/api/v1/auth/login', {
      email: owner.email,
      password: PASSWORD,
    });
    assertError(oldPw, 401, 'invalid_credentials');
    await signIn(h.app, owner.email, NEW_PASSWORD);
  });

  test('a wrong current password changes nothing', async () => {
    const owner = await signUpOwner(h.app);
    const other = await signIn(h.app, owner.email);
    const res = await owner.post('/api/v1/auth/password', {
      currentPassword: 'wrong password here',
      newPassword: NEW_PASSWORD,
    });
    assertError(res, 401, 'invalid_credentials');
    assert.equal((await other.get('/api/v1/auth/me')).status, 200);
    await signIn(h.app, owner.email, PASSWORD);
  });

  test('password reset: the logged link works once and ends every session', async () => {
    const owner = await signUpOwner(h.app);
    const other = await signIn(h.app, owner.email);
    const anon = new HttpClient(h.app);
    const req = await anon.post('/api/v1/auth/password-reset', { email: owner.email });
    assert.equal(req.status, 202);
    // The same answer for an account that does not exist.
    const none = await anon.post('/api/v1/auth/password-reset', { email: uniqueEmail('ghost') });
    assert.equal(none.status, 202);
    const token = resetTokenFromLogs(owner.userId!);

    assertError(
      await anon.post('/api/v1/auth/password-reset/confirm', {
        token: 'wrong-token-wrong-token-wrong',
        newPassword: NEW_PASSWORD,
      }),
      400,
      'invalid_token',
    );
    const ok = await anon.post('/api/v1/auth/password-reset/confirm', { token, newPassword: NEW_PASSWORD });
    assert.equal(ok.status, 204, JSON.stringify(ok.body));
    assertError(await owner.get('/api/v1/auth/me'), 401, 'session_expired');
    assertError(await other.get('/api/v1/auth/me'), 401, 'session_expired');

    const reused = await anon.post('/api/v1/auth/password-reset/confirm', {
      token,
      newPassword: 'yet another passphrase 3',
    });
    assertError(reused, 400, 'invalid_token');
    await signIn(h.app, owner.email, NEW_PASSWORD);
    assertError(
      await new HttpClient(h.app).post('/api/v1/auth/login', { email: owner.email, password: PASSWORD }),
      401,
      'invalid_credentials',
    );
  });

  test('a reset link expires after an hour', async () => {
    const owner = await signUpOwner(h.app);
    const anon = new HttpClient(h.app);
    assert.equal((await anon.post('/api/v1/auth/password-reset', { email: owner.email })).status, 202);
    const token = resetTokenFromLogs(owner.userId!);
    h.clock.advance(HOUR + MINUTE);
    assertError(
      await anon.post('/api/v1/auth/password-reset/confirm', { token, newPassword: NEW_PASSWORD }),
      400,
      'invalid_token',
    );
  });

  test('enabling and disabling 2FA end every other session', async () => {
    const owner = await signUpOwner(h.app);
    const other = await signIn(h.app, owner.email);
    const setup = await owner.post('/api/v1/auth/2fa/setup');
    assert.equal(setup.status, 200, JSON.stringify(setup.body));
    const enable = await owner.post('/api/v1/auth/2fa/enable', {
      code: await generateTotpCode(setup.body.secret, h.clock.now()),
    });
    assert.equal(enable.status, 200, JSON.stringify(enable.body));
    assertError(await other.get('/api/v1/auth/me'), 401, 'session_expired');
    assert.equal((await owner.get('/api/v1/auth/me')).status, 200, 'this device continues');

    // A second device signs in with both factors...
    const second = new HttpClient(h.app);
    const pending = await second.post('/api/v1/auth/login', { email: owner.email, password: PASSWORD });
    assert.equal(pending.body.status, 'two_factor_required');
    h.clock.advance(30_000);
    const done = await second.post('/api/v1/auth/login/2fa', {
      code: await generateTotpCode(setup.body.secret, h.clock.now()),
    });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal((await second.get('/api/v1/auth/me')).status, 200);

    // ...and is signed out when 2FA is turned off elsewhere.
    h.clock.advance(30_000);
    const disable = await owner.post('/api/v1/auth/2fa/disable', {
      password: PASSWORD,
      code: await generateTotpCode(setup.body.secret, h.clock.now()),
    });
    assert.equal(disable.status, 200, JSON.stringify(disable.body));
    assertError(await second.get('/api/v1/auth/me'), 401, 'session_expired');
    assert.equal((await owner.get('/api/v1/auth/me')).status, 200);
  });

  test('removal from the workspace ends all of the member’s sessions', async () => {
    const owner = await signUpOwner(h.app);
    const agent = await addMember(owner, 'agent');
    const agentPhone = await signIn(h.app, agent.email);
    assert.equal((await agent.get('/api/v1/members')).status, 200);
    const del = await owner.delete(`/api/v1/members/${agent.userId}`);
    assert.equal(del.status, 204, JSON.stringify(del.body));
    assertError(await agent.get('/api/v1/members'), 401, 'session_expired');
    assertError(await agentPhone.get('/api/v1/auth/me'), 401, 'session_expired');
    // They can sign in again, but are no longer in the workspace.
    const back = await signIn(h.app, agent.email);
    back.workspaceId = owner.workspaceId;
    assertError(await back.get('/api/v1/members'), 404, 'not_found');
    assert.deepEqual((await back.get('/api/v1/auth/me')).body.workspaces, []);
  });
});

describe('CSRF', () => {
  test('cookie-authenticated POST, PATCH and DELETE need the session’s X-CSRF-Token', async () => {
    const owner = await signUpOwner(h.app);
    const key = await addApiKey(owner, 'agent');
    const good = owner.csrf;
    assert.ok(good);
    const calls: [string, () => Promise<Response>][] = [
      ['POST', () => owner.post('/api/v1/invitations', { email: uniqueEmail(), role: 'agent' })],
      ['PATCH', () => owner.patch('/api/v1/workspace', { name: 'Renamed' })],
      ['DELETE', () => owner.delete(`/api/v1/api-keys/${key.apiKeyId}`)],
      [
        'POST /auth/password',
        () => owner.post('/api/v1/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
      ],
      ['POST /auth/logout', () => owner.post('/api/v1/auth/logout')],
    ];
    // Another user's valid token is still the wrong token for this session.
    const otherToken = (await signUpOwner(h.app)).csrf!;
    for (const bad of [null, 'wrong', otherToken, `${good}x`]) {
      owner.csrf = bad;
      for (const [label, call] of calls) {
        const res = await call();
        assert.equal(res.status, 403, `${label} with csrf=${bad}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'csrf_failed');
      }
    }
    owner.csrf = good;
    // Nothing happened: the key still works, the name did not change, the session is alive.
    assert.equal((await key.get('/api/v1/members')).status, 200);
    assert.notEqual((await owner.get('/api/v1/workspace')).body.name, 'Renamed');
    // GET needs no token.
    owner.csrf = null;
    assert.equal((await owner.get('/api/v1/members')).status, 200);
    owner.csrf = good;
    // With the right token the same calls work.
    assert.equal((await owner.patch('/api/v1/workspace', { name: 'Renamed' })).status, 200);
    assert.equal((await owner.delete(`/api/v1/api-keys/${key.apiKeyId}`)).status, 204);
  });

  test('API-key requests need no CSRF token', async () => {
    const owner = await signUpOwner(h.app);
    const key = await addApiKey(owner, 'admin');
    assert.equal(key.csrf, null);
    const inv = await key.post('/api/v1/invitations', { email: uniqueEmail(), role: 'agent' });
    assert.equal(inv.status, 201, JSON.stringify(inv.body));
    const patch = await key.patch('/api/v1/workspace', { name: 'Via key' });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    const del = await key.delete(`/api/v1/invitations/${inv.body.invitation.id}`);
    assert.equal(del.status, 204, JSON.stringify(del.body));
  });
});
