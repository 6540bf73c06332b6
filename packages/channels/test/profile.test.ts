/**
 * `fetchProfile`: Meta's User Profile API for a person who wrote to a Page (first + last name) or
 * an Instagram account (name, username), against the simulator over HTTP; Meta's refusals and
 * transient errors classified like every other call, and no token or name in error messages.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '@parley/simulator';
import { ChannelError } from '../src/index.ts';
import { profileFrom } from '../src/messenger-provider.ts';
import { startHarness, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.client.clearFaults();
});

const ACCOUNT = { messenger: DEMO.pageId, instagram: DEMO.instagramId } as const;

/** A customer who wrote to the account; their PSID / IGSID there. */
async function wrote(
  name: string,
  channel: 'messenger' | 'instagram',
  opts: { profileHidden?: boolean } = {},
) {
  const c = await h.client.createCustomer({ name, waId: null, ...opts });
  await h.client.customerSends(c.id, ACCOUNT[channel], { type: 'text', text: 'hello' });
  const scopedId = c.scopedIds[ACCOUNT[channel]];
  assert.ok(scopedId);
  return scopedId;
}

async function failureOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ChannelError, String(e));
    return e;
  }
  assert.fail('expected a ChannelError');
}

test('Messenger: first and last name joined', async () => {
  const psid = await wrote('Lena Marie Vogel', 'messenger');
  assert.deepEqual(await h.providers.messenger.fetchProfile(h.accounts.messenger, psid), {
    name: 'Lena Marie Vogel',
  });
});

test('Instagram: name and username', async () => {
  const igsid = await wrote('Omar Haddad', 'instagram');
  assert.deepEqual(await h.providers.instagram.fetchProfile(h.accounts.instagram, igsid), {
    name: 'Omar Haddad',
    username: 'omar.haddad',
  });
});

test('refusals are classified and carry neither the token nor a name', async () => {
  const hidden = await wrote('Pia Private', 'messenger', { profileHidden: true });
  const refused = await failureOf(h.providers.messenger.fetchProfile(h.accounts.messenger, hidden));
  assert.equal(refused.failure.class, 'invalid_request');
  assert.equal(refused.failure.code, 100);
  assert.equal(refused.failure.subcode, 2018218);
  assert.equal(refused.message, 'messenger profile failed: invalid_request (100)');

  const igHidden = await wrote('Quinn Private', 'instagram', { profileHidden: true });
  const consent = await failureOf(h.providers.instagram.fetchProfile(h.accounts.instagram, igHidden));
  assert.equal(consent.failure.code, 230);
  assert.equal(consent.failure.class, 'invalid_recipient', 'about the person, not the token');

  const badToken = await failureOf(
    h.providers.messenger.fetchProfile({ ...h.accounts.messenger, accessToken: 'EAAG-secret' }, hidden),
  );
  assert.equal(badToken.failure.class, 'auth_revoked');
  const unknown = await failureOf(
    h.providers.messenger.fetchProfile(h.accounts.messenger, '61111111111111111'),
  );
  assert.equal(unknown.failure.code, 100);
  assert.equal(unknown.failure.subcode, 33);
  for (const e of [refused, consent, badToken, unknown]) {
    const text = `${e.message} ${JSON.stringify(e.failure)}`;
    assert.ok(!text.includes(DEMO.pageAccessToken) && !text.includes('EAAG-secret'), text);
    assert.ok(!/Pia|Quinn|Private/.test(text), text);
  }
});

test('a 5xx from Meta is retryable', async () => {
  const psid = await wrote('Rita Retry', 'messenger');
  await h.client.setFaults({ graph: { errorNext: 1, errorStatus: 503 } });
  const e = await failureOf(h.providers.messenger.fetchProfile(h.accounts.messenger, psid));
  assert.equal(e.failure.class, 'retryable');
  assert.deepEqual(await h.providers.messenger.fetchProfile(h.accounts.messenger, psid), {
    name: 'Rita Retry',
  });
});

test('WhatsApp has no profile lookup: refused without a request', async () => {
  const e = await failureOf(h.providers.whatsapp.fetchProfile(h.accounts.whatsapp, '5511999990001'));
  assert.equal(e.failure.class, 'invalid_request');
  assert.equal(e.failure.code, -5);
});

test('profileFrom: blank parts are absent; no name → null', () => {
  assert.deepEqual(profileFrom('messenger', { first_name: 'Ana', last_name: '' }), { name: 'Ana' });
  assert.deepEqual(profileFrom('messenger', { first_name: ' ', last_name: 'Ruiz' }), { name: 'Ruiz' });
  assert.deepEqual(profileFrom('messenger', { id: '1' }), { name: null });
  assert.deepEqual(profileFrom('instagram', { name: null, username: 'ana.ruiz' }), {
    name: null,
    username: 'ana.ruiz',
  });
  assert.deepEqual(profileFrom('instagram', { name: 'Ana', username: 7 }), { name: 'Ana' });
});
