import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator, DEMO, type Simulator } from '@parley/simulator';
import { SimulatorClient, SimulatorControlError } from '../src/simulator-client.ts';

let sim: Simulator;
let client: SimulatorClient;
before(async () => {
  sim = await createSimulator({ port: 0, timing: 'fast' });
  client = new SimulatorClient(`${sim.url}/`);
});
after(async () => {
  await sim.close();
});

test('typed client round-trips state, customers, threads, rules, clock and faults', async () => {
  assert.deepEqual(await client.health(), { ok: true });
  const state = await client.state();
  assert.equal(state.phoneNumbers[0]?.id, DEMO.phoneNumberId);
  const c = await client.createCustomer({ name: 'Maria', waId: '5511988887777' });
  const m = await client.customerSends(c.id, DEMO.phoneNumberId, { type: 'text', text: 'Oi' });
  const thread = await client.thread(c.id, DEMO.phoneNumberId);
  assert.equal(thread.messages[0]?.id, m.id);
  assert.equal(thread.windowOpen, true);
  const psid = await client.scopedId(c.id, DEMO.pageId);
  assert.equal(psid.kind, 'psid');
  assert.equal(c.scopedIds[DEMO.pageId], psid.scopedId);
  assert.equal((await client.userByScopedId(DEMO.pageId, psid.scopedId)).customerId, c.id);
  assert.equal((await client.setRules({ pairBurst: 7 }, DEMO.phoneNumberId)).pairBurst, 7);
  assert.equal((await client.rules()).pairBurst, 45);
  const clock = await client.advanceClock(1000, DEMO.phoneNumberId);
  assert.equal(clock.offsetMs, 1000);
  assert.equal((await client.setFaults({ graph: { errorNext: 1 } })).graph.errorNext, 1);
  assert.equal((await client.clearFaults()).graph.errorNext, 0);
});

test('control errors surface as SimulatorControlError with the status', async () => {
  await assert.rejects(client.thread('nobody', DEMO.phoneNumberId), (error: unknown) => {
    assert.ok(error instanceof SimulatorControlError);
    assert.equal(error.status, 404);
    return true;
  });
  await assert.rejects(
    client.createCustomer({ waId: '5511999990001' }),
    (error: unknown) => error instanceof SimulatorControlError && error.status === 409,
  );
});
