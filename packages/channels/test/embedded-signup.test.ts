import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '@parley/simulator';
import { ChannelError, createEmbeddedSignup, type EmbeddedSignup } from '../src/index.ts';
import { accountWhere, failureOfResult, sentId, startHarness, type Harness } from './helpers.ts';

let h: Harness;
let signup: EmbeddedSignup;
before(async () => {
  h = await startHarness();
  signup = createEmbeddedSignup(h.graph);
});
after(async () => {
  await h.close();
});

test('a code from /_sim/signup-codes exchanges once for a business token', async () => {
  const { code } = await h.client.signupCode(DEMO.appId, DEMO.businessId);
  const { accessToken } = await signup.exchangeCode({ appId: DEMO.appId, appSecret: DEMO.appSecret, code });
  assert.ok(accessToken.length > 10);
  await signup.subscribeApp({ wabaId: DEMO.wabaId, accessToken });
  const phone = await signup.getPhoneNumber({ phoneNumberId: DEMO.phoneNumberId, accessToken });
  assert.deepEqual(phone, {
    displayPhoneNumber: '+1 555-010-0001',
    verifiedName: 'Demo Bakery',
    qualityRating: 'GREEN',
  });
  // Codes are single use; the error names neither the code nor the secret.
  await assert.rejects(
    signup.exchangeCode({ appId: DEMO.appId, appSecret: DEMO.appSecret, code }),
    (e: unknown) =>
      e instanceof ChannelError &&
      e.failure.code === 100 &&
      e.failure.class === 'invalid_request' &&
      !e.message.includes(code) &&
      !e.message.includes(DEMO.appSecret),
  );
});

test('a wrong app secret is refused without leaking it', async () => {
  const { code } = await h.client.signupCode(DEMO.appId, DEMO.businessId);
  await assert.rejects(
    signup.exchangeCode({ appId: DEMO.appId, appSecret: 'not-the-secret', code }),
    (e: unknown) =>
      e instanceof ChannelError && !e.message.includes('not-the-secret') && !e.message.includes(code),
  );
});

test('full onboarding of a new number: exchange, subscribe, register, read, then send', async () => {
  const completed = await fetch(`${h.sim.url}/embedded-signup/complete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      appId: DEMO.appId,
      businessId: null,
      businessName: 'Corner Shop',
      phone: '15550142424',
    }),
  });
  const done = (await completed.json()) as { code: string; phone_number_id: string; waba_id: string };
  const { accessToken } = await signup.exchangeCode({
    appId: DEMO.appId,
    appSecret: DEMO.appSecret,
    code: done.code,
  });
  const account = {
    kind: 'whatsapp' as const,
    accountId: done.phone_number_id,
    accessToken,
    wabaId: done.waba_id,
  };

  // Not registered yet: Meta answers 133010.
  const unregistered = failureOfResult(
    await h.providers.whatsapp.send(account, '5511999990001', {
      type: 'template',
      template: { name: 'hello_world', language: 'en_US' },
    }),
  );
  assert.equal(unregistered.code, 133010);
  assert.equal(unregistered.class, 'auth_revoked');

  await signup.subscribeApp({ wabaId: done.waba_id, accessToken });
  await assert.rejects(
    signup.registerPhone({ phoneNumberId: done.phone_number_id, accessToken, pin: '12' }),
    (e: unknown) => e instanceof ChannelError && e.failure.class === 'invalid_request',
  );
  await signup.registerPhone({ phoneNumberId: done.phone_number_id, accessToken, pin: '123456' });
  const phone = await signup.getPhoneNumber({ phoneNumberId: done.phone_number_id, accessToken });
  assert.equal(phone.displayPhoneNumber, '+1 555-014-2424');
  assert.equal(phone.verifiedName, 'Corner Shop');

  const health = await h.providers.whatsapp.checkHealth(account);
  assert.equal(health.tokenValid, true);
  // The new token cannot reach the demo number: for that account it is not a valid token.
  const foreign = await h.providers.whatsapp.checkHealth({ ...h.accounts.whatsapp, accessToken });
  assert.equal(foreign.tokenValid, false);

  // The Embedded Signup webhook arrives as an account event.
  const update = await h.receiver.waitForEvent(accountWhere((a) => a.field === 'account_update'));
  assert.equal(update.channel, 'whatsapp');
  await h.client.customerSends('ana', done.phone_number_id, { type: 'text', text: 'hi new shop' });
  sentId(await h.providers.whatsapp.send(account, '5511999990001', { type: 'text', text: 'Welcome!' }));
});
