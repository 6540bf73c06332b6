/**
 * The team inbox through HTTP: assignment and round-robin auto-assignment, status and snoozing,
 * labels, teams and canned responses. Conversations arrive through the real ingestion use case;
 * round-robin is wired into it the way the webhook pipeline wires it (`autoAssignerFor`).
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  ingestChannelEvents,
  wakeSnoozedConversations,
  type ChannelRecord,
  type ConversationRecord,
} from '@parley/core';
import { auditRepository, realtimeRepository, snoozeRepository, type RealtimeEventRecord } from '@parley/db';
import { conversationStoresFor } from '../src/app-context.ts';
import { autoAssignerFor, wakeAllSnoozed, wakeSnoozedIn } from '../src/inbox-stores.ts';
import { assertError } from './helpers/assertions.ts';
import { seedChannel, seedInbound } from './helpers/conversations.ts';
import { addApiKey, addMember, signUpOwner } from './helpers/factories.ts';
import type { HttpClient, Response } from './helpers/http-client.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

let h: TestHarness;
before(async () => {
  h = await createTestApp();
  // The first user of an install becomes the platform operator; keep that out of the workspaces below.
  await signUpOwner(h.app, { workspaceName: 'Operator home' });
});
after(async () => h.close());

type Owner = Awaited<ReturnType<typeof signUpOwner>>;
const MISSING = '0190f000-0000-7000-8000-0000000000aa';
const HOUR = 3600_000;

const put = <T = any>(c: HttpClient, url: string, body?: unknown): Promise<Response<T>> =>
  c.request<T>('PUT', url, body);

/** A workspace with an owner and a channel. */
async function inbox(): Promise<{ owner: Owner; ws: string; channel: ChannelRecord }> {
  const owner = await signUpOwner(h.app);
  assert.ok(owner.workspaceId);
  const channel = await seedChannel(h, owner.workspaceId);
  return { owner, ws: owner.workspaceId, channel };
}

async function conversation(ws: string, id: string): Promise<ConversationRecord> {
  const c = await h.ctx.db.run({ workspaceId: ws }, (tx) =>
    conversationStoresFor(h.ctx, tx, ws).conversations.get(id),
  );
  assert.ok(c, `conversation ${id}`);
  return c;
}

async function events(ws: string): Promise<RealtimeEventRecord[]> {
  return h.ctx.db.run({ workspaceId: ws }, (tx) => realtimeRepository(tx, ws).listSince(0, 1000));
}

async function auditActions(ws: string): Promise<string[]> {
  const entries = await h.ctx.db.run({ workspaceId: ws }, (tx) =>
    auditRepository(tx).list(ws, { beforeSeq: null, limit: 1000 }),
  );
  return entries.map((e) => e.action);
}

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/** A new customer writes in: ingestion with round-robin wired in, as the webhook pipeline does. */
async function newInbound(channel: ChannelRecord): Promise<ConversationRecord> {
  const ws = channel.workspaceId;
  return h.ctx.db.run({ workspaceId: ws }, async (tx) => {
    const stores = conversationStoresFor(h.ctx, tx, ws);
    const providerMessageId = `wamid.${digits(20)}`;
    const externalId = `1555${digits(7)}`;
    // As WebhookProcessorOptions.autoAssign wires it.
    await ingestChannelEvents({ ...stores, autoAssign: autoAssignerFor(tx, ws, stores) }, channel, [
      {
        type: 'message',
        channel: channel.kind,
        accountId: channel.accountId,
        providerMessageId,
        timestamp: h.clock.now(),
        from: { externalId, phone: `+${externalId}`, profileName: 'Customer' },
        content: { type: 'text', text: 'Hi' },
      },
    ]);
    const message = await stores.messages.findByProviderId(channel.id, providerMessageId);
    assert.ok(message);
    const c = await stores.conversations.get(message.conversationId);
    assert.ok(c);
    return c;
  });
}

function countBy(ids: (string | null)[]): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describe('assignment', () => {
  test('assign to a member with a team, keep the team, unassign; realtime, not audited', async () => {
    const { owner, ws, channel } = await inbox();
    const agent = await addMember(owner, 'agent');
    const { conversationId } = await seedInbound(h, channel);
    const team = await owner.post('/api/v1/teams', { name: 'Support' });
    assert.equal(team.status, 201);
    const auditBefore = await auditActions(ws);
    const seqBefore = (await events(ws)).length;

    const res = await owner.post(`/api/v1/conversations/${conversationId}/assign`, {
      assigneeId: agent.userId,
      teamId: team.body.id,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.assigneeId, agent.userId);
    assert.equal(res.body.teamId, team.body.id);
    assert.equal(res.body.status, 'open');
    assert.deepEqual(Object.keys(res.body).sort(), [
      'assigneeId',
      'id',
      'labelIds',
      'snoozedUntil',
      'status',
      'teamId',
      'updatedAt',
    ]);

    // An agent takes it over (teamId left out: the team stays).
    const self = await agent.post(`/api/v1/conversations/${conversationId}/assign`, {
      assigneeId: owner.userId,
    });
    assert.equal(self.status, 200, JSON.stringify(self.body));
    assert.equal(self.body.assigneeId, owner.userId);
    assert.equal(self.body.teamId, team.body.id);
    // The same again changes nothing (no event).
    assert.equal(
      (await agent.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: owner.userId }))
        .status,
      200,
    );

    const cleared = await owner.post(`/api/v1/conversations/${conversationId}/assign`, {
      assigneeId: null,
      teamId: null,
    });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.assigneeId, null);
    assert.equal(cleared.body.teamId, null);
    const stored = await conversation(ws, conversationId);
    assert.equal(stored.assigneeId, null);
    assert.equal(stored.teamId, null);

    const updates = (await events(ws)).slice(seqBefore);
    assert.deepEqual(
      updates.map((e) => [e.type, e.conversationId, e.userId, e.data]),
      [
        [
          'conversation.updated',
          conversationId,
          agent.userId,
          { assigneeId: agent.userId, teamId: team.body.id },
        ],
        [
          'conversation.updated',
          conversationId,
          owner.userId,
          { assigneeId: owner.userId, teamId: team.body.id },
        ],
        ['conversation.updated', conversationId, null, { assigneeId: null, teamId: null }],
      ],
    );
    assert.deepEqual(await auditActions(ws), auditBefore, 'assignment is not audited');

    // An API key with the agent role assigns too.
    const key = await addApiKey(owner, 'agent');
    const viaKey = await key.post(`/api/v1/conversations/${conversationId}/assign`, {
      assigneeId: agent.userId,
    });
    assert.equal(viaKey.status, 200, JSON.stringify(viaKey.body));
  });

  test('refusals: not a member, an analyst, an unknown team or conversation, bad input, an analyst caller', async () => {
    const { owner, channel } = await inbox();
    const analyst = await addMember(owner, 'analyst');
    const { conversationId } = await seedInbound(h, channel);
    const other = await signUpOwner(h.app);
    const url = `/api/v1/conversations/${conversationId}/assign`;

    assertError(await owner.post(url, { assigneeId: other.userId }), 404, 'not_found');
    assertError(await owner.post(url, { assigneeId: MISSING }), 404, 'not_found');
    assertError(await owner.post(url, { assigneeId: analyst.userId }), 409, 'assignee_not_eligible');
    assertError(await owner.post(url, { assigneeId: owner.userId, teamId: MISSING }), 404, 'not_found');
    assertError(
      await owner.post(`/api/v1/conversations/${MISSING}/assign`, { assigneeId: owner.userId }),
      404,
      'not_found',
    );
    assertError(await owner.post(url, {}), 400, 'validation_failed');
    assertError(await owner.post(url, { assigneeId: 'me' }), 400, 'validation_failed');
    assertError(await owner.post(url, { assigneeId: owner.userId, extra: 1 }), 400, 'validation_failed');
    assertError(await analyst.post(url, { assigneeId: owner.userId }), 403, 'forbidden');
    const analystKey = await addApiKey(owner, 'analyst');
    assertError(await analystKey.post(url, { assigneeId: owner.userId }), 403, 'forbidden');
    assert.equal((await conversation(owner.workspaceId ?? '', conversationId)).assigneeId, null);
  });
});

describe('round-robin auto-assignment', () => {
  /** A workspace with auto-assignment on, the owner out of the rotation, and `n` agents. */
  async function rotation(n: number) {
    const { owner, ws, channel } = await inbox();
    const agents: HttpClient[] = [];
    for (let i = 0; i < n; i++) agents.push(await addMember(owner, 'agent'));
    assert.equal((await owner.patch('/api/v1/inbox-settings', { autoAssign: true })).status, 200);
    assert.equal((await put(owner, '/api/v1/me/availability', { available: false })).status, 200);
    return { owner, ws, channel, agents, ids: agents.map((a) => String(a.userId)) };
  }

  test('3 agents, 6 new conversations → 2 each, in turn; unavailable agents and analysts get none', async () => {
    const { owner, ws, channel, agents, ids } = await rotation(3);
    const away = await addMember(owner, 'agent');
    const awaySet = await put(away, '/api/v1/me/availability', { available: false });
    assert.deepEqual([awaySet.status, awaySet.body], [200, { available: false }]);
    await addMember(owner, 'analyst');

    const assigned: (string | null)[] = [];
    for (let i = 0; i < 6; i++) assigned.push((await newInbound(channel)).assigneeId);
    assert.deepEqual(new Set(assigned.slice(0, 3)), new Set(ids), 'each agent once before anyone twice');
    assert.deepEqual(assigned.slice(3), assigned.slice(0, 3), 'the same order in the second round');
    const counts = countBy(assigned);
    for (const id of ids) assert.equal(counts.get(id), 2, `agent ${id}`);
    assert.equal(counts.get(String(away.userId)), undefined);
    assert.equal(counts.get(String(owner.userId)), undefined);

    // Each assignment is announced to its assignee.
    const autos = (await events(ws)).filter((e) => e.type === 'conversation.updated' && e.data.autoAssigned);
    assert.deepEqual(
      autos.map((e) => e.userId),
      assigned,
    );

    // Back from a break: the agent who never had a turn is next.
    assert.equal((await put(away, '/api/v1/me/availability', { available: true })).status, 200);
    assert.equal((await newInbound(channel)).assigneeId, away.userId);
    // Whoever is not available drops out of the rotation.
    for (const a of agents.slice(1)) await put(a, '/api/v1/me/availability', { available: false });
    assert.equal((await newInbound(channel)).assigneeId, ids[0]);
    assert.equal((await newInbound(channel)).assigneeId, away.userId);
  });

  test('concurrent turns (one transaction each) never go to the same agent: 2 each', async () => {
    const { owner, ws, channel, ids } = await rotation(3);
    assert.equal((await owner.patch('/api/v1/inbox-settings', { autoAssign: false })).status, 200);
    const waiting = await Promise.all(Array.from({ length: 6 }, () => newInbound(channel)));
    assert.equal((await owner.patch('/api/v1/inbox-settings', { autoAssign: true })).status, 200);
    // Straight to the assigner, not through ingestion (whose realtime append already serialises
    // transactions): on PostgreSQL these run on separate connections at the same time.
    const assigned = await Promise.all(
      waiting.map((c) =>
        h.ctx.db.run({ workspaceId: ws }, async (tx) => {
          const stores = conversationStoresFor(h.ctx, tx, ws);
          await autoAssignerFor(tx, ws, stores)(c);
          return (await stores.conversations.get(c.id))?.assigneeId ?? null;
        }),
      ),
    );
    const counts = countBy(assigned);
    for (const id of ids) assert.equal(counts.get(id), 2, `agent ${id}: ${JSON.stringify([...counts])}`);
    // Through ingestion too.
    const created = await Promise.all(Array.from({ length: 3 }, () => newInbound(channel)));
    assert.deepEqual(new Set(created.map((c) => c.assigneeId)), new Set(ids));
  });

  test("a conversation with a team goes only to that team's available members", async () => {
    const { owner, ws, channel, agents, ids } = await rotation(3);
    const team = await owner.post('/api/v1/teams', { name: 'Billing' });
    for (const id of ids.slice(0, 2)) {
      assert.equal((await put(owner, `/api/v1/teams/${team.body.id}/members/${id}`)).status, 200);
    }
    // Conversations that came in unassigned (auto-assignment was off) and were routed to the team.
    assert.equal((await owner.patch('/api/v1/inbox-settings', { autoAssign: false })).status, 200);
    const routed: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await newInbound(channel);
      assert.equal(c.assigneeId, null, 'auto-assignment off: nobody');
      const res = await owner.post(`/api/v1/conversations/${c.id}/assign`, {
        assigneeId: null,
        teamId: team.body.id,
      });
      assert.equal(res.status, 200);
      routed.push(c.id);
    }
    assert.equal((await owner.patch('/api/v1/inbox-settings', { autoAssign: true })).status, 200);
    const assignTeam = async (id: string) =>
      h.ctx.db.run({ workspaceId: ws }, async (tx) => {
        const stores = conversationStoresFor(h.ctx, tx, ws);
        const c = await stores.conversations.get(id);
        assert.ok(c);
        await autoAssignerFor(tx, ws, stores)(c);
        return (await stores.conversations.get(id))?.assigneeId ?? null;
      });
    const picked = [];
    for (const id of routed.slice(0, 2)) picked.push(await assignTeam(id));
    assert.deepEqual(new Set(picked), new Set(ids.slice(0, 2)));
    // The third agent is not in the team: with the team's members away, nobody is picked.
    for (const a of agents.slice(0, 2)) await put(a, '/api/v1/me/availability', { available: false });
    assert.equal(await assignTeam(String(routed[2])), null);
    assert.equal(
      (await put(agents[1] as HttpClient, '/api/v1/me/availability', { available: true })).status,
      200,
    );
    assert.equal(await assignTeam(String(routed[3])), ids[1]);
    // A conversation that already has an assignee keeps it.
    const already = await conversation(ws, String(routed[0]));
    assert.ok(already.assigneeId);
    assert.equal(await assignTeam(already.id), already.assigneeId);
  });

  test('auto-assignment off (the default): new conversations stay unassigned', async () => {
    const { owner, channel } = await inbox();
    await addMember(owner, 'agent');
    const settings = await owner.get('/api/v1/inbox-settings');
    assert.deepEqual([settings.status, settings.body], [200, { autoAssign: false }]);
    assert.equal((await newInbound(channel)).assigneeId, null);
  });
});

describe('availability and inbox settings', () => {
  test('each member sets their own availability; API keys and analysts have none', async () => {
    const { owner } = await inbox();
    const agent = await addMember(owner, 'agent');
    assert.deepEqual((await agent.get('/api/v1/me/availability')).body, { available: true });
    const off = await put(agent, '/api/v1/me/availability', { available: false });
    assert.deepEqual([off.status, off.body], [200, { available: false }]);
    assert.deepEqual((await agent.get('/api/v1/me/availability')).body, { available: false });
    assert.deepEqual((await owner.get('/api/v1/me/availability')).body, { available: true });

    const key = await addApiKey(owner, 'admin');
    assertError(await key.get('/api/v1/me/availability'), 403, 'forbidden');
    assertError(await put(key, '/api/v1/me/availability', { available: false }), 403, 'forbidden');
    const analyst = await addMember(owner, 'analyst');
    assertError(await put(analyst, '/api/v1/me/availability', { available: true }), 403, 'forbidden');
    assertError(await put(agent, '/api/v1/me/availability', { available: 'no' }), 400, 'validation_failed');
    assertError(await put(agent, '/api/v1/me/availability', {}), 400, 'validation_failed');
  });

  test('inbox settings are for admins, and changing them is audited', async () => {
    const { owner, ws } = await inbox();
    const agent = await addMember(owner, 'agent');
    const admin = await addMember(owner, 'admin');
    assertError(await agent.get('/api/v1/inbox-settings'), 403, 'forbidden');
    assertError(await agent.patch('/api/v1/inbox-settings', { autoAssign: true }), 403, 'forbidden');
    const on = await admin.patch('/api/v1/inbox-settings', { autoAssign: true });
    assert.deepEqual([on.status, on.body], [200, { autoAssign: true }]);
    assert.deepEqual((await owner.get('/api/v1/inbox-settings')).body, { autoAssign: true });
    assert.deepEqual((await owner.patch('/api/v1/inbox-settings', {})).body, { autoAssign: true });
    assertError(await owner.patch('/api/v1/inbox-settings', { autoAssign: 1 }), 400, 'validation_failed');
    assert.equal((await auditActions(ws)).filter((a) => a === 'inbox_settings.updated').length, 1);
  });
});

describe('status', () => {
  test('resolve, set pending, reopen, snooze; realtime for each change', async () => {
    const { owner, ws, channel } = await inbox();
    const agent = await addMember(owner, 'agent');
    const { conversationId } = await seedInbound(h, channel);
    const url = `/api/v1/conversations/${conversationId}/status`;
    const seqBefore = (await events(ws)).length;

    for (const status of ['resolved', 'pending', 'open'] as const) {
      const res = await agent.post(url, { status });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, status);
      assert.equal(res.body.snoozedUntil, null);
    }
    assert.equal((await agent.post(url, { status: 'open' })).status, 200, 'unchanged: fine, no event');
    const until = new Date(h.clock.now().getTime() + 2 * HOUR);
    const snoozed = await agent.post(url, { status: 'snoozed', snoozedUntil: until.toISOString() });
    assert.equal(snoozed.status, 200, JSON.stringify(snoozed.body));
    assert.equal(snoozed.body.status, 'snoozed');
    assert.equal(snoozed.body.snoozedUntil, until.toISOString());
    const stored = await conversation(ws, conversationId);
    assert.equal(stored.status, 'snoozed');
    assert.equal(stored.snoozedUntil?.toISOString(), until.toISOString());

    const changes = (await events(ws)).slice(seqBefore).map((e) => [e.type, e.data]);
    assert.deepEqual(changes, [
      ['conversation.updated', { status: 'resolved', snoozedUntil: null }],
      ['conversation.updated', { status: 'pending', snoozedUntil: null }],
      ['conversation.updated', { status: 'open', snoozedUntil: null }],
      ['conversation.updated', { status: 'snoozed', snoozedUntil: until.toISOString() }],
    ]);

    // The customer writing again reopens it.
    await seedInbound(h, channel, { externalId: (await firstIdentity(ws, conversationId)) ?? '' });
    const reopened = await conversation(ws, conversationId);
    assert.equal(reopened.status, 'open');
    assert.equal(reopened.snoozedUntil, null);
  });

  test('refusals: snooze without a time or in the past, a time without snoozing, bad status, 404, analyst', async () => {
    const { owner, channel } = await inbox();
    const { conversationId } = await seedInbound(h, channel);
    const url = `/api/v1/conversations/${conversationId}/status`;
    const past = new Date(h.clock.now().getTime() - 1000).toISOString();
    const future = new Date(h.clock.now().getTime() + HOUR).toISOString();
    assertError(await owner.post(url, { status: 'snoozed' }), 400, 'validation_failed');
    assertError(await owner.post(url, { status: 'snoozed', snoozedUntil: past }), 400, 'validation_failed');
    assertError(
      await owner.post(url, { status: 'snoozed', snoozedUntil: h.clock.now().toISOString() }),
      400,
      'validation_failed',
    );
    assertError(
      await owner.post(url, { status: 'resolved', snoozedUntil: future }),
      400,
      'validation_failed',
    );
    assertError(await owner.post(url, { status: 'closed' }), 400, 'validation_failed');
    assertError(
      await owner.post(url, { status: 'snoozed', snoozedUntil: 'tomorrow' }),
      400,
      'validation_failed',
    );
    assertError(
      await owner.post(`/api/v1/conversations/${MISSING}/status`, { status: 'resolved' }),
      404,
      'not_found',
    );
    const analyst = await addMember(owner, 'analyst');
    assertError(await analyst.post(url, { status: 'resolved' }), 403, 'forbidden');
    assert.equal((await conversation(String(owner.workspaceId), conversationId)).status, 'open');
  });

  test('snoozed conversations wake up when their time comes (TestClock)', async () => {
    const { owner, ws, channel } = await inbox();
    const agent = await addMember(owner, 'agent');
    const early = (await seedInbound(h, channel)).conversationId;
    const late = (await seedInbound(h, channel)).conversationId;
    const resolvedMeanwhile = (await seedInbound(h, channel)).conversationId;
    await owner.post(`/api/v1/conversations/${early}/assign`, { assigneeId: agent.userId });
    const snooze = (id: string, ms: number) =>
      owner.post(`/api/v1/conversations/${id}/status`, {
        status: 'snoozed',
        snoozedUntil: new Date(h.clock.now().getTime() + ms).toISOString(),
      });
    for (const [id, ms] of [
      [early, HOUR],
      [late, 3 * HOUR],
      [resolvedMeanwhile, HOUR],
    ] as const) {
      assert.equal((await snooze(id, ms)).status, 200);
    }
    assert.equal(
      (await owner.post(`/api/v1/conversations/${resolvedMeanwhile}/status`, { status: 'resolved' })).status,
      200,
    );

    assert.equal(await wakeSnoozedIn(h.ctx, ws), 0, 'nothing is due yet');
    h.clock.advance(2 * HOUR);
    const seqBefore = (await events(ws)).length;
    assert.equal(await wakeSnoozedIn(h.ctx, ws), 1);
    const woken = await conversation(ws, early);
    assert.equal(woken.status, 'open');
    assert.equal(woken.snoozedUntil, null);
    assert.equal((await conversation(ws, late)).status, 'snoozed');
    assert.equal((await conversation(ws, resolvedMeanwhile)).status, 'resolved');
    assert.deepEqual(
      (await events(ws)).slice(seqBefore).map((e) => [e.type, e.conversationId, e.userId, e.data]),
      [['conversation.updated', early, agent.userId, { status: 'open', snoozedUntil: null, woken: true }]],
    );
    assert.equal(await wakeSnoozedIn(h.ctx, ws), 0, 'woken once');

    // The worker's periodic task: every workspace, each in its own scope.
    h.clock.advance(2 * HOUR);
    assert.ok((await wakeAllSnoozed(h.ctx)) >= 1);
    assert.equal((await conversation(ws, late)).status, 'open');
  });

  test('a conversation changed after it was found due is left alone', async () => {
    const { owner, ws, channel } = await inbox();
    const { conversationId } = await seedInbound(h, channel);
    const res = await owner.post(`/api/v1/conversations/${conversationId}/status`, {
      status: 'snoozed',
      snoozedUntil: new Date(h.clock.now().getTime() + HOUR).toISOString(),
    });
    assert.equal(res.status, 200);
    h.clock.advance(2 * HOUR);
    const woken = await h.ctx.db.run({ workspaceId: ws }, async (tx) => {
      const stores = conversationStoresFor(h.ctx, tx, ws);
      const snoozes = snoozeRepository(tx, ws);
      // Resolved by an agent between "due" and "wake" (the store sees the change first).
      const racing = {
        ...snoozes,
        async wakeIfDue(id: string, now: Date) {
          await stores.conversations.update(id, { status: 'resolved', snoozedUntil: null });
          return snoozes.wakeIfDue(id, now);
        },
      };
      return wakeSnoozedConversations({ ...stores, snoozes: racing }, h.clock.now());
    });
    assert.equal(woken, 0);
    assert.equal((await conversation(ws, conversationId)).status, 'resolved');
  });
});

async function firstIdentity(ws: string, conversationId: string): Promise<string | null> {
  return h.ctx.db.run({ workspaceId: ws }, async (tx) => {
    const stores = conversationStoresFor(h.ctx, tx, ws);
    const c = await stores.conversations.get(conversationId);
    if (!c) return null;
    const [identity] = await stores.contacts.identities(c.contactId);
    return identity?.externalId ?? null;
  });
}

describe('labels', () => {
  test('create, list, rename, recolor, delete; names unique ignoring case', async () => {
    const { owner, ws } = await inbox();
    const vip = await owner.post('/api/v1/labels', { name: 'VIP', color: '#FF0000' });
    assert.equal(vip.status, 201, JSON.stringify(vip.body));
    assert.equal(vip.body.name, 'VIP');
    assert.equal(vip.body.color, '#ff0000');
    const plain = await owner.post('/api/v1/labels', { name: '  billing ' });
    assert.equal(plain.status, 201);
    assert.equal(plain.body.name, 'billing');
    assert.equal(plain.body.color, '#6b7280');

    assertError(await owner.post('/api/v1/labels', { name: 'vip' }), 409, 'label_exists');
    assertError(await owner.post('/api/v1/labels', { name: 'x', color: 'red' }), 400, 'validation_failed');
    assertError(await owner.post('/api/v1/labels', { name: 'x', color: '#12345' }), 400, 'validation_failed');
    assertError(await owner.post('/api/v1/labels', { name: '   ' }), 400, 'validation_failed');
    assertError(await owner.post('/api/v1/labels', { name: '' }), 400, 'validation_failed');
    assertError(await owner.post('/api/v1/labels', { name: 'x'.repeat(65) }), 400, 'validation_failed');

    const list = await owner.get('/api/v1/labels');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((l: { name: string }) => l.name),
      ['billing', 'VIP'],
    );

    assertError(await owner.patch(`/api/v1/labels/${plain.body.id}`, { name: 'Vip' }), 409, 'label_exists');
    const renamed = await owner.patch(`/api/v1/labels/${vip.body.id}`, { name: 'Vip', color: '#00aa00' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.deepEqual([renamed.body.name, renamed.body.color], ['Vip', '#00aa00']);
    assertError(await owner.patch(`/api/v1/labels/${MISSING}`, { name: 'y' }), 404, 'not_found');

    assert.equal((await owner.delete(`/api/v1/labels/${vip.body.id}`)).status, 204);
    assertError(await owner.delete(`/api/v1/labels/${vip.body.id}`), 404, 'not_found');
    // The name is free again.
    assert.equal((await owner.post('/api/v1/labels', { name: 'VIP' })).status, 201);
    assert.ok((await auditActions(ws)).includes('label.deleted'));
  });

  test('agents use labels but only admins manage them; analysts see none', async () => {
    const { owner } = await inbox();
    const agent = await addMember(owner, 'agent');
    const analyst = await addMember(owner, 'analyst');
    const label = await owner.post('/api/v1/labels', { name: 'Urgent' });
    assert.equal((await agent.get('/api/v1/labels')).status, 200);
    assertError(await agent.post('/api/v1/labels', { name: 'Mine' }), 403, 'forbidden');
    assertError(await agent.patch(`/api/v1/labels/${label.body.id}`, { name: 'x' }), 403, 'forbidden');
    assertError(await agent.delete(`/api/v1/labels/${label.body.id}`), 403, 'forbidden');
    assertError(await analyst.get('/api/v1/labels'), 403, 'forbidden');
    const adminKey = await addApiKey(owner, 'admin');
    assert.equal((await adminKey.post('/api/v1/labels', { name: 'From the CRM' })).status, 201);
  });

  test('label a conversation (idempotent), filter the list by label, unlabel; deleting a label takes it off', async () => {
    const { owner, ws, channel } = await inbox();
    const agent = await addMember(owner, 'agent');
    const analyst = await addMember(owner, 'analyst');
    const one = (await seedInbound(h, channel)).conversationId;
    const two = (await seedInbound(h, channel)).conversationId;
    const vip = (await owner.post('/api/v1/labels', { name: 'VIP' })).body.id as string;
    const late = (await owner.post('/api/v1/labels', { name: 'Late' })).body.id as string;
    const seqBefore = (await events(ws)).length;

    const first = await put(agent, `/api/v1/conversations/${one}/labels/${vip}`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body.labelIds, [vip]);
    const again = await put(agent, `/api/v1/conversations/${one}/labels/${vip}`);
    assert.deepEqual([again.status, again.body.labelIds], [200, [vip]]);
    assert.deepEqual((await put(agent, `/api/v1/conversations/${one}/labels/${late}`)).body.labelIds, [
      vip,
      late,
    ]);
    assert.equal((await put(agent, `/api/v1/conversations/${two}/labels/${late}`)).status, 200);

    const byLabel = async (labelId: string) =>
      h.ctx.db.run({ workspaceId: ws }, async (tx) => {
        const page = await conversationStoresFor(h.ctx, tx, ws).conversations.list(
          { labelId },
          { cursor: null, limit: 50 },
        );
        return page.items.map((c) => c.id).sort();
      });
    assert.deepEqual(await byLabel(vip), [one]);
    assert.deepEqual(await byLabel(late), [one, two].sort());

    const removed = await agent.delete(`/api/v1/conversations/${one}/labels/${vip}`);
    assert.deepEqual([removed.status, removed.body.labelIds], [200, [late]]);
    const removedAgain = await agent.delete(`/api/v1/conversations/${one}/labels/${vip}`);
    assert.deepEqual([removedAgain.status, removedAgain.body.labelIds], [200, [late]]);
    assert.deepEqual(await byLabel(vip), []);

    const labelEvents = (await events(ws)).slice(seqBefore).map((e) => [e.type, e.conversationId, e.data]);
    assert.deepEqual(labelEvents, [
      ['conversation.updated', one, { labelIds: [vip] }],
      ['conversation.updated', one, { labelIds: [vip, late] }],
      ['conversation.updated', two, { labelIds: [late] }],
      ['conversation.updated', one, { labelIds: [late] }],
    ]);

    assertError(await put(agent, `/api/v1/conversations/${one}/labels/${MISSING}`), 404, 'not_found');
    assertError(await put(agent, `/api/v1/conversations/${MISSING}/labels/${vip}`), 404, 'not_found');
    assertError(await agent.delete(`/api/v1/conversations/${one}/labels/${MISSING}`), 404, 'not_found');
    assertError(await put(analyst, `/api/v1/conversations/${one}/labels/${vip}`), 403, 'forbidden');

    assert.equal((await owner.delete(`/api/v1/labels/${late}`)).status, 204);
    assert.deepEqual((await conversation(ws, one)).labelIds, []);
    assert.deepEqual((await conversation(ws, two)).labelIds, []);
  });

  test("another workspace's label cannot be put on a conversation", async () => {
    const { owner, channel } = await inbox();
    const other = await signUpOwner(h.app);
    const foreign = (await other.post('/api/v1/labels', { name: 'Theirs' })).body.id as string;
    const { conversationId } = await seedInbound(h, channel);
    assertError(
      await put(owner, `/api/v1/conversations/${conversationId}/labels/${foreign}`),
      404,
      'not_found',
    );
    assert.deepEqual((await conversation(String(owner.workspaceId), conversationId)).labelIds, []);
  });
});

describe('teams', () => {
  test('create, add members (idempotent), rename, remove members, delete', async () => {
    const { owner, ws, channel } = await inbox();
    const agent = await addMember(owner, 'agent');
    const admin = await addMember(owner, 'admin');
    const created = await admin.post('/api/v1/teams', { name: ' Sales ' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.name, created.body.memberIds], ['Sales', []]);
    const teamId = created.body.id as string;

    const added = await put(admin, `/api/v1/teams/${teamId}/members/${agent.userId}`);
    assert.deepEqual([added.status, added.body.memberIds], [200, [agent.userId]]);
    assert.deepEqual((await put(admin, `/api/v1/teams/${teamId}/members/${agent.userId}`)).body.memberIds, [
      agent.userId,
    ]);
    assert.deepEqual((await put(admin, `/api/v1/teams/${teamId}/members/${owner.userId}`)).body.memberIds, [
      agent.userId,
      owner.userId,
    ]);
    const stranger = await signUpOwner(h.app);
    assertError(await put(admin, `/api/v1/teams/${teamId}/members/${stranger.userId}`), 404, 'not_found');
    assertError(await put(admin, `/api/v1/teams/${MISSING}/members/${agent.userId}`), 404, 'not_found');

    const list = await agent.get('/api/v1/teams');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items, [
      {
        id: teamId,
        name: 'Sales',
        memberIds: [agent.userId, owner.userId],
        createdAt: created.body.createdAt,
      },
    ]);

    const renamed = await admin.patch(`/api/v1/teams/${teamId}`, { name: 'Sales EMEA' });
    assert.deepEqual([renamed.status, renamed.body.name], [200, 'Sales EMEA']);
    assertError(await admin.patch(`/api/v1/teams/${teamId}`, { name: ' ' }), 400, 'validation_failed');
    assertError(await admin.patch(`/api/v1/teams/${MISSING}`, { name: 'x' }), 404, 'not_found');

    assert.equal((await admin.delete(`/api/v1/teams/${teamId}/members/${owner.userId}`)).status, 204);
    assert.equal((await admin.delete(`/api/v1/teams/${teamId}/members/${owner.userId}`)).status, 204);
    assert.deepEqual((await admin.get('/api/v1/teams')).body.items[0].memberIds, [agent.userId]);

    // Deleting the team keeps its conversations' assignee and clears their team.
    const { conversationId } = await seedInbound(h, channel);
    await owner.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: agent.userId, teamId });
    assert.equal((await admin.delete(`/api/v1/teams/${teamId}`)).status, 204);
    assertError(await admin.delete(`/api/v1/teams/${teamId}`), 404, 'not_found');
    const c = await conversation(ws, conversationId);
    assert.deepEqual([c.assigneeId, c.teamId], [agent.userId, null]);
    assert.deepEqual((await admin.get('/api/v1/teams')).body.items, []);
    const audited = await auditActions(ws);
    for (const action of [
      'team.created',
      'team.member_added',
      'team.updated',
      'team.member_removed',
      'team.deleted',
    ]) {
      assert.ok(audited.includes(action), action);
    }
  });

  test('a member removed from the workspace drops out of its teams; agents cannot manage teams', async () => {
    const { owner } = await inbox();
    const agent = await addMember(owner, 'agent');
    const leaving = await addMember(owner, 'agent');
    const team = (await owner.post('/api/v1/teams', { name: 'Nights' })).body.id as string;
    await put(owner, `/api/v1/teams/${team}/members/${leaving.userId}`);
    assert.equal((await owner.delete(`/api/v1/members/${leaving.userId}`)).status, 204);
    assert.deepEqual((await owner.get('/api/v1/teams')).body.items[0].memberIds, []);

    assertError(await agent.post('/api/v1/teams', { name: 'Mine' }), 403, 'forbidden');
    assertError(await put(agent, `/api/v1/teams/${team}/members/${agent.userId}`), 403, 'forbidden');
    assertError(await agent.delete(`/api/v1/teams/${team}`), 403, 'forbidden');
    assertError(await owner.post('/api/v1/teams', { name: '' }), 400, 'validation_failed');
  });
});

describe('canned responses', () => {
  test('create, list with a shortcut prefix, change, delete; shortcuts unique', async () => {
    const { owner, ws } = await inbox();
    const agent = await addMember(owner, 'agent');
    const create = (shortcut: string, title = shortcut, body = `Body of ${shortcut}`) =>
      owner.post('/api/v1/canned-responses', { shortcut, title, body });
    const hello = await create('hello', 'Greeting', 'Hello! How can we help?');
    assert.equal(hello.status, 201, JSON.stringify(hello.body));
    assert.deepEqual(
      { shortcut: hello.body.shortcut, title: hello.body.title, body: hello.body.body },
      { shortcut: 'hello', title: 'Greeting', body: 'Hello! How can we help?' },
    );
    for (const s of ['help', 'a_b', 'axb', 'refund-policy']) assert.equal((await create(s)).status, 201);

    assertError(await create('hello'), 409, 'shortcut_exists');
    for (const bad of ['Hello', 'with space', '', 'x'.repeat(33), 'émoji', '/hello']) {
      assertError(await create(bad), 400, 'validation_failed');
    }
    assertError(await create('long', 't', 'b'.repeat(4097)), 400, 'validation_failed');
    assert.equal((await create('max', 't', 'b'.repeat(4096))).status, 201);
    assertError(await create('blank', '   ', 'b'), 400, 'validation_failed');

    const shortcuts = async (q?: string) => {
      const res = await agent.get(`/api/v1/canned-responses${q === undefined ? '' : `?q=${q}`}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.items.map((r: { shortcut: string }) => r.shortcut);
    };
    assert.deepEqual(await shortcuts(), ['a_b', 'axb', 'hello', 'help', 'max', 'refund-policy']);
    assert.deepEqual(await shortcuts('he'), ['hello', 'help']);
    assert.deepEqual(await shortcuts('HEL'), ['hello', 'help']);
    assert.deepEqual(await shortcuts('a_'), ['a_b'], '_ is a character, not a wildcard');
    assert.deepEqual(await shortcuts('zzz'), []);
    assert.deepEqual(await shortcuts(''), await shortcuts());
    assertError(await agent.get('/api/v1/canned-responses?q=a%25'), 400, 'validation_failed');
    assertError(await agent.get(`/api/v1/canned-responses?q=${'a'.repeat(33)}`), 400, 'validation_failed');

    const id = hello.body.id as string;
    assertError(
      await owner.patch(`/api/v1/canned-responses/${id}`, { shortcut: 'help' }),
      409,
      'shortcut_exists',
    );
    const changed = await owner.patch(`/api/v1/canned-responses/${id}`, { shortcut: 'hi', body: 'Hi!' });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(
      [changed.body.shortcut, changed.body.title, changed.body.body],
      ['hi', 'Greeting', 'Hi!'],
    );
    assertError(await owner.patch(`/api/v1/canned-responses/${MISSING}`, { title: 'x' }), 404, 'not_found');
    assertError(
      await owner.patch(`/api/v1/canned-responses/${id}`, { shortcut: 'A' }),
      400,
      'validation_failed',
    );

    assert.equal((await owner.delete(`/api/v1/canned-responses/${id}`)).status, 204);
    assertError(await owner.delete(`/api/v1/canned-responses/${id}`), 404, 'not_found');
    assert.ok(!(await shortcuts()).includes('hi'));
    const audited = await auditActions(ws);
    for (const action of ['canned_response.created', 'canned_response.updated', 'canned_response.deleted']) {
      assert.ok(audited.includes(action), action);
    }
  });

  test('agents read canned responses, admins manage them, analysts see none', async () => {
    const { owner } = await inbox();
    const agent = await addMember(owner, 'agent');
    const analyst = await addMember(owner, 'analyst');
    const r = await owner.post('/api/v1/canned-responses', { shortcut: 'bye', title: 'Bye', body: 'Bye!' });
    assertError(
      await agent.post('/api/v1/canned-responses', { shortcut: 'mine', title: 't', body: 'b' }),
      403,
      'forbidden',
    );
    assertError(await agent.patch(`/api/v1/canned-responses/${r.body.id}`, { title: 'x' }), 403, 'forbidden');
    assertError(await agent.delete(`/api/v1/canned-responses/${r.body.id}`), 403, 'forbidden');
    assertError(await analyst.get('/api/v1/canned-responses'), 403, 'forbidden');
    assert.equal((await agent.get('/api/v1/canned-responses')).body.items.length, 1);
  });
});

describe('channel health', () => {
  test("'last webhook seen' follows the webhooks, written at most once every 10 s", async () => {
    const { owner, ws, channel } = await inbox();
    const lastSeen = async (): Promise<string | null> => {
      const res = await owner.get('/api/v1/channels');
      assert.equal(res.status, 200);
      return res.body.items.find((c: { id: string }) => c.id === channel.id).health.lastWebhookAt;
    };
    // As the webhook processor does it: the channel as stored, then its events.
    const deliver = () =>
      h.ctx.db.run({ workspaceId: ws }, async (tx) => {
        const stores = conversationStoresFor(h.ctx, tx, ws);
        const stored = await stores.channels.get(channel.id);
        assert.ok(stored);
        await ingestChannelEvents(stores, stored, [
          {
            type: 'message',
            channel: 'whatsapp',
            accountId: channel.accountId,
            providerMessageId: `wamid.${randomInt(1e9)}${randomInt(1e9)}`,
            timestamp: h.clock.now(),
            from: { externalId: '15550001111', phone: '+15550001111', profileName: 'Health Check' },
            content: { type: 'text', text: 'hi' },
          },
        ]);
      });

    assert.equal(await lastSeen(), null);
    await deliver();
    const first = h.clock.now().toISOString();
    assert.equal(await lastSeen(), first);
    h.clock.advance(5_000);
    await deliver();
    assert.equal(await lastSeen(), first, 'not rewritten within 10 s');
    h.clock.advance(5_000);
    await deliver();
    assert.equal(await lastSeen(), h.clock.now().toISOString(), 'rewritten once 10 s have passed');
  });
});
