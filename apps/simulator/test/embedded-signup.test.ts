import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '../src/index.ts';
import { changesOf, startHarness, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

test('signup page posts WA_EMBEDDED_SIGNUP; the code exchanges for a token that reaches the new number', async () => {
  const page = await (await fetch(`${h.sim.url}/embedded-signup?app_id=${DEMO.appId}`)).text();
  assert.match(page, /Connect WhatsApp to Parley Demo App/);
  const js = await (await fetch(`${h.sim.url}/embedded-signup/signup.js`)).text();
  assert.match(js, /WA_EMBEDDED_SIGNUP/);
  assert.match(js, /event: 'FINISH'/);
  const sdk = await (await fetch(`${h.sim.url}/sdk.js`)).text();
  assert.match(sdk, /window\.FB = /);

  const res = await fetch(`${h.sim.url}/embedded-signup/complete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      appId: DEMO.appId,
      businessId: null,
      businessName: 'Corner Shop',
      phone: '15550142424',
    }),
  });
  const done = (await res.json()) as {
    code: string;
    phone_number_id: string;
    waba_id: string;
    business_id: string;
  };
  assert.match(done.phone_number_id, /^\d+$/);
  const token = (await (
    await fetch(
      `${h.sim.graphUrl}/oauth/access_token?client_id=${DEMO.appId}&client_secret=${DEMO.appSecret}&code=${done.code}`,
    )
  ).json()) as { access_token: string };
  const own = await h.graph(
    'GET',
    `/${done.phone_number_id}?fields=display_phone_number,verified_name`,
    undefined,
    token.access_token,
  );
  assert.equal(own.json.display_phone_number, '+1 555-014-2424');
  const other = await h.graph('GET', `/${DEMO.phoneNumberId}`, undefined, token.access_token);
  assert.equal(other.json.error.code, 100, 'the new business token cannot reach the demo number');
  const unregistered = await h.graph(
    'POST',
    `/${done.phone_number_id}/messages`,
    { messaging_product: 'whatsapp', to: '5511999990001', type: 'text', text: { body: 'x' } },
    token.access_token,
  );
  assert.equal(unregistered.json.error.code, 133010);
  assert.deepEqual((await h.graph('POST', `/${done.waba_id}/subscribed_apps`, {}, token.access_token)).json, {
    success: true,
  });
  assert.deepEqual(
    (
      await h.graph(
        'POST',
        `/${done.phone_number_id}/register`,
        { messaging_product: 'whatsapp', pin: '123456' },
        token.access_token,
      )
    ).json,
    { success: true },
  );
  const debug = await h.graph('GET', `/debug_token?input_token=${token.access_token}`);
  assert.equal(debug.json.data.is_valid, true);
  assert.deepEqual(debug.json.data.granular_scopes[0].target_ids, [done.waba_id]);
  await h.receiver.waitFor((r) => changesOf(r, 'account_update').length === 1);
  assert.equal(changesOf(h.receiver.received, 'account_update')[0].waba_info.waba_id, done.waba_id);
});
