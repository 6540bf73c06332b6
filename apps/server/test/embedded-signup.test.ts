/**
 * WhatsApp Embedded Signup against the simulator: the browser's code and the FINISH message's ids
 * go to Parley, which exchanges the code, subscribes its app to the WABA, registers the number and
 * connects it — and the number then receives messages like any other.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultSeed, DEMO } from '@parley/simulator';
import { loadConfig } from '@parley/config';
import { embeddedSignupClient } from '../src/routes/channel-routes.ts';
import { signUpOwner } from './helpers/factories.ts';
import { createLiveApp, eventually, type LiveHarness } from './helpers/live-app.ts';

const SECOND_NUMBER = '400000000000077';
let h: LiveHarness;

before(async () => {
  h = await createLiveApp({
    simulator: {
      seed: {
        ...defaultSeed,
        phoneNumbers: [
          ...defaultSeed.phoneNumbers,
          {
            id: SECOND_NUMBER,
            wabaId: DEMO.wabaId,
            displayPhoneNumber: '15550100077',
            verifiedName: 'Second Bakery',
            qualityRating: 'GREEN',
          },
        ],
      },
    },
  });
});
after(async () => h.close());

test('a code from the signup popup connects the number; it receives messages; a used code is refused', async () => {
  const owner = await signUpOwner(h.app);
  const config = await owner.get('/api/v1/channels/embedded-signup/config');
  assert.equal(config.status, 200);
  // The simulator's stand-in SDK; its popup is the only origin whose messages the page believes.
  assert.deepEqual(config.body, {
    available: true,
    appId: DEMO.appId,
    sdkUrl: `${h.sim.url}/sdk.js`,
    configId: null,
    graphVersion: 'v23.0',
    messageOrigins: [h.sim.url],
  });

  const { code } = await h.simClient.signupCode(DEMO.appId, DEMO.businessId);
  const connected = await owner.post('/api/v1/channels/embedded-signup', {
    code,
    wabaId: DEMO.wabaId,
    phoneNumberId: SECOND_NUMBER,
  });
  assert.equal(connected.status, 201, JSON.stringify(connected.body));
  assert.equal(connected.body.kind, 'whatsapp');
  assert.equal(connected.body.name, 'Second Bakery');
  assert.equal(connected.body.health.tokenValid, true);

  const again = await owner.post('/api/v1/channels/embedded-signup', {
    code,
    wabaId: DEMO.wabaId,
    phoneNumberId: SECOND_NUMBER,
  });
  assert.equal(again.status, 400);
  assert.equal(again.body.error.code, 'embedded_signup_failed');

  const kim = await h.simClient.createCustomer({ name: 'Kim Signup' });
  await h.simClient.customerSends(kim.id, SECOND_NUMBER, { type: 'text', text: 'hello second number' });
  const conversation = await eventually(async () => {
    const res = await owner.get(`/api/v1/conversations?channelId=${connected.body.id}`);
    return res.body.items[0];
  }, 'the conversation on the new number');
  assert.equal(conversation.contact.name, 'Kim Signup');
  const reply = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
    content: { type: 'text', text: 'welcome' },
  });
  assert.equal(reply.status, 201);
  await eventually(async () => {
    const thread = await h.simClient.thread(kim.id, SECOND_NUMBER);
    return thread.messages.some((m) => m.direction === 'out');
  }, 'the reply from the new number');
});

test('an agent cannot run Embedded Signup', async () => {
  const owner = await signUpOwner(h.app);
  const key = await owner.post('/api/v1/api-keys', { name: 'agent', role: 'agent' });
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/channels/embedded-signup',
    headers: { authorization: `Bearer ${key.body.token}`, 'content-type': 'application/json' },
    payload: { code: 'x', wabaId: DEMO.wabaId, phoneNumberId: SECOND_NUMBER },
  });
  assert.equal(res.statusCode, 403);
});

test("with Meta's Graph API: Meta's SDK, messages only from Meta's dialog, and only with a Login for Business configuration", () => {
  const meta = {
    PARLEY_SIMULATOR: 'false',
    META_GRAPH_URL: 'https://graph.facebook.com',
    META_APP_ID: '1234567890',
    META_APP_SECRET: 'a-real-app-secret',
  };
  // Without config_id FB.login is a plain Facebook login, not the signup: not offered.
  assert.equal(embeddedSignupClient(loadConfig(meta)), null);
  assert.deepEqual(
    embeddedSignupClient(loadConfig({ ...meta, META_EMBEDDED_SIGNUP_CONFIG_ID: '555000111' })),
    {
      sdkUrl: 'https://connect.facebook.net/en_US/sdk.js',
      messageOrigins: ['https://www.facebook.com', 'https://web.facebook.com'],
      frameOrigins: ['https://www.facebook.com', 'https://web.facebook.com'],
      configId: '555000111',
    },
  );
  assert.throws(
    () => loadConfig({ ...meta, META_EMBEDDED_SIGNUP_CONFIG_ID: 'abc' }),
    /META_EMBEDDED_SIGNUP_CONFIG_ID/,
  );
  // No Meta app at all: nothing to sign up with.
  assert.equal(embeddedSignupClient(loadConfig({ PARLEY_SIMULATOR: 'false' })), null);
});
