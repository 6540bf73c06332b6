/**
 * Send jobs that fail on Parley's side, end to end: the agent replies over HTTP, the workers send
 * through the simulator, and something in between throws — not Meta. Each such job settles (it is
 * never left claimed and retried forever), the customer never gets a message twice, the agent sees
 * what happened, and the replies queued behind it still go out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { DEMO } from '@parley/simulator';
import { queryRows } from '@parley/db';
import { signUpOwner } from './helpers/factories.ts';
import type { HttpClient } from './helpers/http-client.ts';
import { connectDemoChannels, createLiveApp, eventually, type LiveHarness } from './helpers/live-app.ts';
import { SseStream } from './helpers/sse-client.ts';

let h: LiveHarness;
let owner: HttpClient & { email: string };
/** Replies whose send Meta accepts but whose id comes back with a NUL (the database refuses it). */
const nulIdFor = new Set<string>();

before(async () => {
  h = await createLiveApp();
  owner = await signUpOwner(h.app);
  await connectDemoChannels(owner);
  // The workers hold this very gateway object: wrap its send.
  const realSend = h.ctx.gateway.send.bind(h.ctx.gateway);
  h.ctx.gateway.send = async (channel, credentials, to, content, opts) => {
    const result = await realSend(channel, credentials, to, content, opts);
    return result.ok && nulIdFor.has(opts.callbackData)
      ? { ok: true, providerMessageId: `${result.providerMessageId}\u0000` }
      : result;
  };
});
after(async () => h.close());

/** A customer who wrote on WhatsApp, and the conversation that made. */
async function customerWrites(name: string, text: string) {
  const customer = await h.simClient.createCustomer({ name });
  await h.simClient.customerSends(customer.id, DEMO.phoneNumberId, { type: 'text', text });
  const conversation = await eventually(async () => {
    const res = await owner.get('/api/v1/conversations?limit=200');
    return res.body.items.find((c: { contact: { name: string } }) => c.contact.name === name);
  }, `${name}'s conversation`);
  return { customer, conversationId: conversation.id as string };
}

async function reply(conversationId: string, text: string): Promise<string> {
  const res = await owner.post(`/api/v1/conversations/${conversationId}/messages`, {
    content: { type: 'text', text },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

async function received(customerId: string): Promise<string[]> {
  const thread = await h.simClient.thread(customerId, DEMO.phoneNumberId);
  return thread.messages.filter((m) => m.direction === 'out').map((m) => (m.view as { text: string }).text);
}

async function jobFor(refId: string) {
  const [row] = await h.ctx.db.asOwner((tx) =>
    queryRows<{ attempts: number; last_error: string | null }>(
      tx,
      sql`select attempts, last_error from jobs where ref_id = ${refId}`,
    ),
  );
  return row ?? null;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('Meta accepted a reply whose outcome the database refuses: the customer gets it once, it reaches read, the next reply goes out', async () => {
  const { customer, conversationId } = await customerWrites('Once Only', 'Hello?');
  const first = await reply(conversationId, 'Sent exactly once');
  nulIdFor.add(first);
  const second = await reply(conversationId, 'And the next one');
  await eventually(async () => (await received(customer.id)).length === 2, 'both replies to arrive');
  // Our id travels in biz_opaque_callback_data, so the status webhooks still find the message.
  await eventually(async () => {
    const res = await owner.get(`/api/v1/messages/${first}`);
    return res.body.status === 'read' ? res.body : null;
  }, 'the first reply to reach read');
  await eventually(
    async () => (await owner.get(`/api/v1/messages/${second}`)).body.status === 'read',
    'read',
  );
  assert.equal(await jobFor(first), null, 'the job settled');
  // Past its lease: nothing sends it again.
  h.clock.advance(10 * 60_000);
  await pause(500);
  assert.deepEqual(await received(customer.id), ['Sent exactly once', 'And the next one']);
  assert.ok(h.logs.some((l) => l.includes('send accepted by Meta but not recorded')));
});

test('a reply that cannot be prepared (the customer’s stored address is unreadable) is retried with backoff, then shown failed to the agent; other replies go out meanwhile', async () => {
  const broken = await customerWrites('Broken Address', 'Can you call me?');
  const other = await customerWrites('Fine Address', 'Are you open?');
  // The stored wa_id no longer decrypts (a damaged row): preparing the send throws.
  await h.ctx.db.asOwner((tx) =>
    tx.execute(sql`update contact_identities set external_id = '\\x00'::bytea
                   where contact_id = (select contact_id from conversations where id = ${broken.conversationId})`),
  );
  const stream = await SseStream.open(`${h.url}/api/v1/events`, {
    cookie: `parley_session=${owner.cookie}`,
    'x-workspace-id': owner.workspaceId!,
  });
  try {
    await stream.waitFor((s) => s.events.some((e) => e.event === 'ready'), 'ready');
    const doomed = await reply(broken.conversationId, 'We will call you at five');
    const job = await eventually(async () => {
      const row = await jobFor(doomed);
      return row?.last_error ? row : null;
    }, 'the first failure to be recorded');
    assert.equal(job.attempts, 1);
    assert.equal(job.last_error, 'decryption_failed');
    // The queue goes on.
    const fine = await reply(other.conversationId, 'Yes, until six');
    await eventually(
      async () => (await received(other.customer.id)).includes('Yes, until six'),
      'other reply',
    );
    await eventually(
      async () => (await owner.get(`/api/v1/messages/${fine}`)).body.status === 'read',
      'read',
    );
    assert.equal((await owner.get(`/api/v1/messages/${doomed}`)).body.status, 'queued', 'still being tried');

    // Each backoff is at most 10 minutes: move the clock on until the attempts run out.
    let message: any = null;
    for (let step = 0; step < 15 && !message; step++) {
      h.clock.advance(10 * 60_000);
      await pause(200);
      const res = await owner.get(`/api/v1/messages/${doomed}`);
      if (res.body.status === 'failed') message = res.body;
    }
    assert.ok(message, 'the reply was given up');
    assert.equal(message.error.class, 'internal');
    assert.match(message.error.explanation, /^Not sent: Parley could not send it/);
    assert.equal(await jobFor(doomed), null, 'the job settled');
    // The agent's stream said so.
    await stream.waitFor(
      (s) =>
        s.events.some((e) => {
          const data = JSON.parse(e.data);
          return e.event === 'message.updated' && data.messageId === doomed && data.data.status === 'failed';
        }),
      'message.updated failed',
    );
    assert.deepEqual(await received(broken.customer.id), [], 'nothing reached that customer');
  } finally {
    stream.close();
  }
});
