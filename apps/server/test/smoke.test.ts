import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';
import { addApiKey, addMember, signUpOwner } from './helpers/factories.ts';

let h: TestHarness;
before(async () => {
  h = await createTestApp();
});
after(async () => h.close());

test('an owner signs up, invites an agent, creates an API key', async () => {
  const owner = await signUpOwner(h.app);
  const me = await owner.get('/api/v1/auth/me');
  assert.equal(me.status, 200);
  const agent = await addMember(owner, 'agent');
  const members = await owner.get('/api/v1/members');
  assert.equal(members.body.items.length, 2);
  const key = await addApiKey(owner, 'admin');
  const viaKey = await key.get('/api/v1/members');
  assert.equal(viaKey.status, 200, JSON.stringify(viaKey.body));
  const denied = await agent.get('/api/v1/api-keys');
  assert.equal(denied.status, 403);
});
