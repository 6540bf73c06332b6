/**
 * Names for Messenger and Instagram contacts, end to end through HTTP and the simulator: their
 * webhooks carry only the PSID / IGSID, so a new contact is looked up once with Meta's User Profile
 * API by a durable job. The name shows on the contact and its conversation; a profile Meta refuses
 * leaves the contact nameless and the job settled; a transient failure is retried; a name an
 * agent set is never overwritten; names are encrypted at rest and never logged.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { DEMO } from '@parley/simulator';
import { queryRows, realtimeRepository } from '@parley/db';
import { signUpOwner } from './helpers/factories.ts';
import type { HttpClient } from './helpers/http-client.ts';
import { connectDemoChannels, createLiveApp, eventually, type LiveHarness } from './helpers/live-app.ts';

let h: LiveHarness;
let owner: HttpClient & { email: string };
let ws: string;
let channels: Record<'whatsapp' | 'messenger' | 'instagram', string>;

before(async () => {
  h = await createLiveApp();
  owner = await signUpOwner(h.app);
  ws = owner.workspaceId!;
  channels = await connectDemoChannels(owner);
});
after(async () => h.close());
beforeEach(async () => {
  await h.simClient.clearFaults();
});

const ACCOUNT = { messenger: DEMO.pageId, instagram: DEMO.instagramId } as const;
type PageChannel = keyof typeof ACCOUNT;

/** A new simulated customer writes `text` to the Page or Instagram account; their conversation in Parley. */
async function customerWrites(
  channel: PageChannel,
  name: string,
  text: string,
  opts: { profileHidden?: boolean } = {},
) {
  const customer = await h.simClient.createCustomer({ name, waId: null, ...opts });
  await h.simClient.customerSends(customer.id, ACCOUNT[channel], { type: 'text', text });
  const conversation = await eventually(async () => {
    const res = await owner.get(`/api/v1/conversations?channelId=${channels[channel]}&limit=200`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.items.find((c: any) => c.preview === text);
  }, `the conversation with "${text}"`);
  return { customer, conversation, scopedId: customer.scopedIds[ACCOUNT[channel]]! };
}

async function contact(id: string) {
  const res = await owner.get(`/api/v1/contacts/${id}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

interface JobRow {
  attempts: number;
  last_error: string | null;
  run_at: string | Date;
  /** Set while a worker holds the job; cleared when an attempt failed and the next is scheduled. */
  locked_until: string | Date | null;
}

/** The workspace's profile lookups still waiting (or running). */
async function profileJobs(): Promise<JobRow[]> {
  return h.ctx.db.asOwner((tx) =>
    queryRows<JobRow>(
      tx,
      sql`select attempts, last_error, run_at, locked_until from jobs
          where workspace_id = ${ws} and kind = 'contact.profile'`,
    ),
  );
}

/** Waits until no profile lookup is left, then makes sure none comes back (no spinning). */
async function profileJobsSettled() {
  await eventually(async () => (await profileJobs()).length === 0, 'the profile lookups to settle');
  h.clock.advance(15 * 60_000);
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(await profileJobs(), []);
}

const notAvailableLogs = () =>
  h.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'contact profile not available');

test('Messenger: the contact gets the customer’s name from the profile, encrypted at rest, shown live', async () => {
  const { conversation, scopedId } = await customerWrites('messenger', 'Liam Okonkwo', 'hi from messenger');
  const named = await eventually(async () => {
    const c = await contact(conversation.contactId);
    return c.name === 'Liam Okonkwo' ? c : null;
  }, 'the contact’s name');
  assert.deepEqual(named.identities, [
    { channelId: channels.messenger, externalId: scopedId, profileName: 'Liam Okonkwo' },
  ]);
  const list = await owner.get(`/api/v1/conversations?channelId=${channels.messenger}&limit=200`);
  const listed = list.body.items.find((c: any) => c.id === conversation.id);
  assert.equal(listed.contact.name, 'Liam Okonkwo', 'the inbox list shows the name');
  await profileJobsSettled();

  // The web app hears of it: its conversation is updated, naming the contact (no name in the event).
  const events = await h.ctx.db.run({ workspaceId: ws }, (tx) =>
    realtimeRepository(tx, ws).listSince(0, 1000),
  );
  const update = events.find(
    (e) =>
      e.type === 'conversation.updated' &&
      e.conversationId === conversation.id &&
      e.data?.contactId === conversation.contactId,
  );
  assert.ok(update, 'a conversation.updated event for the named contact');
  assert.ok(!JSON.stringify(events).includes('Okonkwo'));

  // Encrypted like every personal field; neither the name nor the token is in the log.
  const rows = await h.ctx.db.asOwner((tx) =>
    queryRows<{ dump: string }>(
      tx,
      sql`select encode(c.name, 'escape') || ' ' || encode(i.profile_name, 'escape') as dump
          from contacts c join contact_identities i on i.contact_id = c.id
          where c.id = ${conversation.contactId}`,
    ),
  );
  assert.equal(rows.length, 1);
  assert.ok(!rows[0]!.dump.includes('Okonkwo'), 'the name is stored encrypted');
  const logs = h.logs.join('\n');
  assert.ok(!logs.includes('Okonkwo') && !logs.includes(DEMO.pageAccessToken) && !logs.includes(scopedId));
});

test('Instagram: the contact gets the name from the profile', async () => {
  const { conversation, scopedId } = await customerWrites('instagram', 'Mia Fontaine', 'hi from instagram');
  const named = await eventually(async () => {
    const c = await contact(conversation.contactId);
    return c.name === 'Mia Fontaine' ? c : null;
  }, 'the contact’s name');
  assert.deepEqual(named.identities, [
    { channelId: channels.instagram, externalId: scopedId, profileName: 'Mia Fontaine' },
  ]);
  await profileJobsSettled();
});

test('a profile Meta refuses (privacy, or the fault): the contact stays nameless and the lookup settles', async () => {
  const before = notAvailableLogs().length;
  const hidden = await customerWrites('messenger', 'Nora Hidden', 'private person here', {
    profileHidden: true,
  });
  await profileJobsSettled();
  await h.simClient.setFaults({ graph: { profileUnavailableNext: 1 } });
  const refused = await customerWrites('instagram', 'Otto Refused', 'refused on instagram');
  await profileJobsSettled();

  for (const { conversation } of [hidden, refused]) {
    const c = await contact(conversation.contactId);
    assert.equal(c.name, null);
    assert.equal(c.identities[0].profileName, null);
  }
  const logged = notAvailableLogs().slice(before);
  assert.equal(logged.length, 2, 'each lookup was tried once and given up');
  assert.deepEqual(
    logged.map((l) => [l.class, l.code, l.attempts]),
    [
      ['invalid_request', 100, 1],
      ['invalid_recipient', 230, 1],
    ],
  );
  assert.equal((await h.simClient.faults()).graph.profileUnavailableNext, 0, 'the fault was used');
});

test('a transient failure is retried after a backoff, then the name arrives', async () => {
  await h.simClient.setFaults({ graph: { errorNext: 1, errorStatus: 503 } });
  const { conversation } = await customerWrites('messenger', 'Pablo Retry', 'retry me please');
  const [job] = await eventually(async () => {
    const jobs = await profileJobs();
    return jobs.length === 1 && jobs[0]!.attempts === 1 && jobs[0]!.last_error ? jobs : null;
  }, 'the first lookup to fail');
  assert.equal(job!.last_error, 'retryable 2');
  assert.equal((await contact(conversation.contactId)).name, null);
  h.clock.advance(2_000);
  await eventually(
    async () => (await contact(conversation.contactId)).name === 'Pablo Retry',
    'the name after the retry',
  );
  await profileJobsSettled();
});

test('Meta down for good: tried 5 times with doubling waits, then given up quietly', async () => {
  await h.simClient.setFaults({ graph: { errorRate: 1, errorStatus: 500 } });
  const before = notAvailableLogs().length;
  try {
    const { conversation } = await customerWrites('messenger', 'Sam Outage', 'is anyone there');
    const waits: number[] = [];
    for (let attempt = 1; attempt < 5; attempt += 1) {
      const [job] = await eventually(async () => {
        const jobs = await profileJobs();
        return jobs[0]?.attempts === attempt && jobs[0].locked_until === null ? jobs : null;
      }, `attempt ${attempt} to fail`);
      waits.push(new Date(job!.run_at).getTime() - h.clock.now().getTime());
      h.clock.advance(waits[waits.length - 1]!);
    }
    assert.deepEqual(waits, [2_000, 4_000, 8_000, 16_000]);
    await profileJobsSettled();
    assert.equal((await contact(conversation.contactId)).name, null);
    const logged = notAvailableLogs().slice(before);
    assert.deepEqual(
      logged.map((l) => [l.class, l.code, l.attempts]),
      [['retryable', 1, 5]],
    );
  } finally {
    await h.simClient.clearFaults();
  }
});

test('a name an agent set is never overwritten', async () => {
  await h.simClient.setFaults({ graph: { errorNext: 1, errorStatus: 500 } });
  const { conversation } = await customerWrites('messenger', 'Quentin Meta', 'name me yourself');
  await eventually(
    async () => (await profileJobs())[0]?.last_error === 'retryable 1',
    'the first lookup to fail',
  );
  const renamed = await owner.patch(`/api/v1/contacts/${conversation.contactId}`, { name: 'Quentin (VIP)' });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  h.clock.advance(2_000);
  await profileJobsSettled();
  const c = await contact(conversation.contactId);
  assert.equal(c.name, 'Quentin (VIP)');
  assert.equal(c.identities[0].profileName, null, 'not looked up: the contact had a name by then');
});

test('WhatsApp contacts are not looked up: the name comes with the message', async () => {
  const customer = await h.simClient.createCustomer({ name: 'Rosa WhatsApp' });
  await h.simClient.customerSends(customer.id, DEMO.phoneNumberId, { type: 'text', text: 'hola' });
  const conversation = await eventually(async () => {
    const res = await owner.get(`/api/v1/conversations?channelId=${channels.whatsapp}&limit=200`);
    return res.body.items.find((c: any) => c.contact?.name === 'Rosa WhatsApp');
  }, 'the WhatsApp conversation');
  assert.ok(conversation);
  assert.deepEqual(await profileJobs(), []);
});
