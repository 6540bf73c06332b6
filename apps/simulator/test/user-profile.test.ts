/**
 * The User Profile API: `GET /{psid}` (Messenger, first/last name) and `GET /{igsid}` (Instagram,
 * name and username) with the Page token, only for people who wrote to the account, refused for
 * hidden profiles and by the `profileUnavailable*` faults, and Meta's error shapes for everything else.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSeed, DEMO, type SeedData } from '../src/index.ts';
import { splitName, usernameOf } from '../src/messenger/user-profile.ts';
import { startHarness, type Harness } from './helpers.ts';

const PAGE_B = '500000000000002';
const PAGE_B_TOKEN = 'sim-page-token-b';
const OTHER_BUSINESS = '200000000000002';
const PAGE_TOKEN = DEMO.pageAccessToken;

/** The demo seed plus a second Page of the same business with its own Page token. */
const seed: SeedData = {
  ...defaultSeed,
  businesses: [...defaultSeed.businesses, { id: OTHER_BUSINESS, name: 'Other Business' }],
  pages: [
    ...defaultSeed.pages,
    { id: PAGE_B, businessId: DEMO.businessId, name: 'Demo Bakery Lisbon', subscribedAppIds: [DEMO.appId] },
  ],
  tokens: [
    ...defaultSeed.tokens,
    { token: PAGE_B_TOKEN, appId: DEMO.appId, businessId: DEMO.businessId, kind: 'page', pageId: PAGE_B },
  ],
};

let h: Harness;
before(async () => {
  h = await startHarness({ seed });
});
after(async () => h.close());
beforeEach(async () => {
  await h.client.clearFaults();
});

/** A fresh customer who wrote to `accountId` (so the business may read their profile). */
async function customerWhoWrote(name: string, accountId: string) {
  const customer = await h.client.createCustomer({ name, waId: null });
  await h.client.customerSends(customer.id, accountId, { type: 'text', text: 'hello' });
  const scopedId = customer.scopedIds[accountId];
  assert.ok(scopedId);
  return { customer, scopedId };
}

test('Messenger: first and last name of a PSID with the Page token', async () => {
  const { scopedId } = await customerWhoWrote('María José Pérez', DEMO.pageId);
  const r = await h.graph(
    'GET',
    `/${scopedId}?fields=first_name,last_name,profile_pic`,
    undefined,
    PAGE_TOKEN,
  );
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(r.json, { first_name: 'María', last_name: 'José Pérez', profile_pic: null, id: scopedId });
  // Without `fields`: the default set; with the token as a parameter, as Meta also accepts.
  const res = await fetch(`${h.sim.graphUrl}/${scopedId}?access_token=${PAGE_TOKEN}`);
  assert.deepEqual(await res.json(), {
    first_name: 'María',
    last_name: 'José Pérez',
    profile_pic: null,
    id: scopedId,
  });
});

test('Instagram: name and username of an IGSID with the linked Page’s token', async () => {
  const { scopedId } = await customerWhoWrote('Eve Insta', DEMO.instagramId);
  const r = await h.graph('GET', `/${scopedId}?fields=name,username,profile_pic`, undefined, PAGE_TOKEN);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(r.json, { name: 'Eve Insta', username: 'eve.insta', profile_pic: null, id: scopedId });
  const follow = await h.graph('GET', `/${scopedId}?fields=is_user_follow_business`, undefined, PAGE_TOKEN);
  assert.deepEqual(follow.json, { is_user_follow_business: false, id: scopedId });
});

test('a field the node lacks → 100; an edge → 2500; a POST → 100/33', async () => {
  const { scopedId } = await customerWhoWrote('Fay Fields', DEMO.pageId);
  const username = await h.graph('GET', `/${scopedId}?fields=first_name,username`, undefined, PAGE_TOKEN);
  assert.equal(username.status, 400);
  assert.equal(username.json.error.code, 100);
  assert.match(username.json.error.message, /nonexisting field \(username\)/);
  const edge = await h.graph('GET', `/${scopedId}/picture`, undefined, PAGE_TOKEN);
  assert.equal(edge.json.error.code, 2500);
  const post = await h.graph('POST', `/${scopedId}`, { name: 'x' }, PAGE_TOKEN);
  assert.equal(post.json.error.code, 100);
  assert.equal(post.json.error.error_subcode, 33);
});

test('tokens: a bad one → 190, none → 104; another Page’s, a system user’s or another business’s → 100/33', async () => {
  const { scopedId } = await customerWhoWrote('Gus Tokens', DEMO.pageId);
  const bad = await h.graph('GET', `/${scopedId}`, undefined, 'not-a-token');
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error.code, 190);
  const none = await h.graph('GET', `/${scopedId}`, undefined, null);
  assert.equal(none.json.error.code, 104);
  const otherBusiness = await h.client.createToken({ businessId: OTHER_BUSINESS });
  for (const token of [PAGE_B_TOKEN, DEMO.accessToken, otherBusiness.token]) {
    const r = await h.graph('GET', `/${scopedId}?fields=first_name`, undefined, token);
    assert.equal(r.status, 400, token);
    assert.equal(r.json.error.code, 100, token);
    assert.equal(r.json.error.error_subcode, 33, token);
    assert.equal(r.json.error.type, 'GraphMethodException');
    assert.ok(r.json.error.fbtrace_id);
  }
  // The system user's token works once the rule allows it [U].
  await h.client.setRules({ userProfileRequiresPageToken: false }, DEMO.pageId);
  try {
    const r = await h.graph('GET', `/${scopedId}?fields=first_name`, undefined, DEMO.accessToken);
    assert.deepEqual(r.json, { first_name: 'Gus', id: scopedId });
  } finally {
    await h.client.resetRules(DEMO.pageId);
  }
});

test('an unknown id, or this person’s PSID of another Page → 100/33', async () => {
  const unknown = await h.graph('GET', '/61234567890123456?fields=first_name', undefined, PAGE_TOKEN);
  assert.equal(unknown.json.error.code, 100);
  assert.equal(unknown.json.error.error_subcode, 33);
  const { customer } = await customerWhoWrote('Hal Pages', PAGE_B);
  const onB = customer.scopedIds[PAGE_B];
  const withA = await h.graph('GET', `/${onB}?fields=first_name`, undefined, PAGE_TOKEN);
  assert.equal(withA.json.error.error_subcode, 33, 'a PSID is scoped to its Page');
  const withB = await h.graph('GET', `/${onB}?fields=first_name`, undefined, PAGE_B_TOKEN);
  assert.deepEqual(withB.json, { first_name: 'Hal', id: onB });
});

test('no consent (never wrote), a hidden profile or the fault → "not available": Messenger 100/2018218, Instagram 230', async () => {
  const quiet = await h.client.createCustomer({ name: 'Ivy Quiet', waId: null });
  const psid = quiet.scopedIds[DEMO.pageId];
  const igsid = quiet.scopedIds[DEMO.instagramId];
  const refusedOnMessenger = async () => {
    const r = await h.graph('GET', `/${psid}?fields=first_name,last_name`, undefined, PAGE_TOKEN);
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.equal(r.json.error.code, 100);
    assert.equal(r.json.error.error_subcode, 2018218);
    assert.equal(r.json.error.type, 'OAuthException');
    assert.match(r.json.error.message, /No profile available/);
  };
  const refusedOnInstagram = async () => {
    const r = await h.graph('GET', `/${igsid}?fields=name,username`, undefined, PAGE_TOKEN);
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.equal(r.json.error.code, 230);
    assert.match(r.json.error.message, /User consent is required/);
  };
  await refusedOnMessenger();
  await refusedOnInstagram();
  // A reaction is no consent; a message is.
  await h.client.customerSends(quiet.id, DEMO.pageId, { type: 'text', text: 'hi' });
  await h.client.customerSends(quiet.id, DEMO.instagramId, { type: 'text', text: 'hi' });
  const ok = await h.graph('GET', `/${psid}?fields=first_name,last_name`, undefined, PAGE_TOKEN);
  assert.deepEqual(ok.json, { first_name: 'Ivy', last_name: 'Quiet', id: psid });

  await h.client.updateCustomer(quiet.id, { profileHidden: true });
  await refusedOnMessenger();
  await refusedOnInstagram();
  await h.client.updateCustomer(quiet.id, { profileHidden: false });

  await h.client.setFaults({ graph: { profileUnavailableNext: 2 } });
  await refusedOnMessenger();
  await refusedOnInstagram();
  assert.equal((await h.client.faults()).graph.profileUnavailableNext, 0);
  const again = await h.graph('GET', `/${igsid}?fields=name,username`, undefined, PAGE_TOKEN);
  assert.deepEqual(again.json, { name: 'Ivy Quiet', username: 'ivy.quiet', id: igsid });

  // The refusals' codes are rules [U]; the consent rule can be switched off.
  await h.client.setRules({ instagramProfileErrorCode: 10, userProfileConsent: false });
  try {
    const stranger = await h.client.createCustomer({ name: 'Joe Stranger', waId: null });
    const r = await h.graph(
      'GET',
      `/${stranger.scopedIds[DEMO.pageId]}?fields=first_name`,
      undefined,
      PAGE_TOKEN,
    );
    assert.deepEqual(r.json, { first_name: 'Joe', id: stranger.scopedIds[DEMO.pageId] });
    await h.client.setFaults({ graph: { profileUnavailableNext: 1 } });
    const refused = await h.graph('GET', `/${igsid}?fields=name`, undefined, PAGE_TOKEN);
    assert.equal(refused.json.error.code, 10);
  } finally {
    await h.client.setRules({ instagramProfileErrorCode: 230, userProfileConsent: true });
  }
});

test('transient Graph faults apply to profile lookups too', async () => {
  const { scopedId } = await customerWhoWrote('Kim Transient', DEMO.pageId);
  await h.client.setFaults({ graph: { errorNext: 1, errorStatus: 503 } });
  const r = await h.graph('GET', `/${scopedId}?fields=first_name`, undefined, PAGE_TOKEN);
  assert.equal(r.status, 503);
  assert.equal(r.json.error.code, 2);
  assert.equal(r.json.error.is_transient, true);
  const ok = await h.graph('GET', `/${scopedId}?fields=first_name`, undefined, PAGE_TOKEN);
  assert.equal(ok.status, 200);
});

test('names: first word / the rest; usernames from names', () => {
  assert.deepEqual(splitName('Ana Ruiz'), { first: 'Ana', last: 'Ruiz' });
  assert.deepEqual(splitName('  Cher '), { first: 'Cher', last: '' });
  assert.deepEqual(splitName('Jean  Claude Van Damme'), { first: 'Jean', last: 'Claude Van Damme' });
  assert.equal(usernameOf('Ana Ruiz'), 'ana.ruiz');
  assert.equal(usernameOf('Zoë  Ōtani-Smith'), 'zoe.otani.smith');
  assert.equal(usernameOf('Dan (not on WhatsApp)'), 'dan.not.on.whatsapp');
  assert.equal(usernameOf('李'), 'user');
  assert.ok(usernameOf('x'.repeat(40)).length <= 30);
});
