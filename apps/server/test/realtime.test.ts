/**
 * The realtime event stream (GET /api/v1/events) over real HTTP: the app listens on 127.0.0.1
 * and streams are read with fetch. Events are appended to the log the way use cases do, in
 * transactions scoped to a workspace.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { RealtimeEventInput } from '@parley/core/conversations/ports';
import { queryRows, realtimeRepository, realtimeWorkspaces, setScope } from '@parley/db';
import { createRealtimeHub } from '../src/realtime/hub.ts';
import { pruneRealtimeEvents } from '../src/realtime/retention.ts';
import { startAppWorkers } from '../src/workers/app-workers.ts';
import { addApiKey, addMember, signUpOwner } from './helpers/factories.ts';
import type { HttpClient } from './helpers/http-client.ts';
import { range, SseStream } from './helpers/sse-client.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

let h: TestHarness;
let base: string;
let appClosed = false;

before(async () => {
  h = await createTestApp();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});
after(async () => {
  if (appClosed) await h.database.close();
  else await h.close();
});

/** The headers a client sends: its session (or API key) and the workspace it acts in. */
function authHeaders(c: HttpClient, workspaceId = c.workspaceId): Record<string, string> {
  const headers: Record<string, string> = {};
  if (c.cookie) headers.cookie = `parley_session=${c.cookie}`;
  if (c.bearer) headers.authorization = `Bearer ${c.bearer}`;
  if (workspaceId) headers['x-workspace-id'] = workspaceId;
  return headers;
}

function openStream(c: HttpClient, query = '', extra: Record<string, string> = {}): Promise<SseStream> {
  return SseStream.open(`${base}/api/v1/events${query}`, { ...authHeaders(c), ...extra });
}

/** Appends `n` events in one transaction scoped to the workspace; returns their seqs. */
async function append(
  workspaceId: string,
  n = 1,
  event: Partial<RealtimeEventInput> = {},
): Promise<number[]> {
  return h.ctx.db.run({ workspaceId }, async (tx) => {
    const log = realtimeRepository(tx, workspaceId);
    const seqs: number[] = [];
    for (let i = 0; i < n; i++) {
      seqs.push(
        await log.append({
          type: 'conversation.updated',
          conversationId: randomUUID(),
          data: { i },
          ...event,
        }),
      );
    }
    return seqs;
  });
}

/** Appends `n` events in transactions of `perTx`. */
async function appendMany(workspaceId: string, n: number, perTx = 50): Promise<number[]> {
  const seqs: number[] = [];
  for (let done = 0; done < n; done += perTx)
    seqs.push(...(await append(workspaceId, Math.min(perTx, n - done))));
  return seqs;
}

async function latest(workspaceId: string): Promise<number> {
  return h.ctx.db.run({ workspaceId }, (tx) => realtimeRepository(tx, workspaceId).latestSeq());
}

async function workspaceOf(c: HttpClient): Promise<string> {
  assert.ok(c.workspaceId);
  return c.workspaceId;
}

test('unauthenticated → 401; analyst (no conversations.read) → 403; a bad Last-Event-ID or after → 400', async () => {
  const anon = await SseStream.open(`${base}/api/v1/events`);
  assert.equal(anon.status, 401);
  assert.equal(anon.body.error.code, 'unauthenticated');

  const owner = await signUpOwner(h.app);
  const analyst = await addMember(owner, 'analyst');
  const refused = await openStream(analyst);
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.equal(refused.body.error.code, 'forbidden');
  const analystKey = await addApiKey(owner, 'analyst');
  assert.equal((await openStream(analystKey)).status, 403);

  // HEAD: the headers of a stream, and no stream.
  const head = await new Promise<http.IncomingMessage>((resolve, reject) =>
    http
      .request(
        `${base}/api/v1/events`,
        { method: 'HEAD', agent: false, headers: authHeaders(owner) },
        resolve,
      )
      .on('error', reject)
      .end(),
  );
  assert.equal(head.statusCode, 200);
  assert.match(String(head.headers['content-type']), /^text\/event-stream/);

  for (const [query, extra] of [
    ['?after=-1', {}],
    ['?after=abc', {}],
    ['?once=2', {}],
    ['?limit=5', {}],
    ['', { 'last-event-id': 'abc' }],
    ['', { 'last-event-id': '1'.repeat(20) }],
  ] as const) {
    const res = await openStream(owner, query, extra);
    assert.equal(res.status, 400, `${query} ${JSON.stringify(extra)}: ${res.status}`);
    assert.equal(res.body.error.code, 'validation_failed');
  }
});

test('events arrive live, in order, as id / event / data with the event fields', async () => {
  const owner = await signUpOwner(h.app);
  const ws = await workspaceOf(owner);
  await append(ws, 2); // history before the stream opens is not replayed
  const stream = await openStream(owner);
  try {
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    assert.match(String(stream.headers['cache-control']), /no-cache/);
    await stream.waitFor((s) => s.events.some((e) => e.event === 'ready'), 'ready');
    assert.equal(stream.retry, 2000);
    assert.deepEqual(stream.events[0], { id: '2', event: 'ready', data: '{"seq":2}' });

    const conversationId = randomUUID();
    const messageId = randomUUID();
    const userId = owner.userId;
    const [created] = await append(ws, 1, {
      type: 'message.created',
      conversationId,
      messageId,
      data: { direction: 'in' },
    });
    const [typing] = await append(ws, 1, { type: 'typing', conversationId, userId, data: {} });
    const [channel] = await append(ws, 1, {
      type: 'channel.updated',
      conversationId: null,
      data: { status: 'active' },
    });
    await stream.waitForSeq(channel!);
    const events = stream.logEvents();
    assert.deepEqual(
      events.map((e) => [e.id, e.event]),
      [
        [String(created), 'message.created'],
        [String(typing), 'typing'],
        [String(channel), 'channel.updated'],
      ],
    );
    const first = JSON.parse(events[0]!.data);
    assert.deepEqual(Object.keys(first).sort(), [
      'conversationId',
      'createdAt',
      'data',
      'messageId',
      'seq',
      'type',
      'userId',
    ]);
    assert.equal(first.seq, created);
    assert.equal(first.type, 'message.created');
    assert.equal(first.conversationId, conversationId);
    assert.equal(first.messageId, messageId);
    assert.equal(first.userId, null);
    assert.deepEqual(first.data, { direction: 'in' });
    assert.ok(!Number.isNaN(Date.parse(first.createdAt)));
    assert.equal(JSON.parse(events[1]!.data).userId, userId);
  } finally {
    stream.close();
  }
});

test('resume after a disconnect: Last-Event-ID gives exactly the 500 missed events, in order, then live ones', async () => {
  const owner = await signUpOwner(h.app);
  const ws = await workspaceOf(owner);
  const first = await openStream(owner);
  const before = await append(ws, 5);
  await first.waitForSeq(before.at(-1)!);
  const lastId = first.lastId();
  first.close();
  await first.waitFor((s) => s.ended, 'the first stream to end');

  const missed = await appendMany(ws, 500);
  assert.deepEqual(missed, range(Number(lastId) + 1, Number(lastId) + 500));
  const resumed = await openStream(owner, '', { 'last-event-id': lastId });
  try {
    await resumed.waitForSeq(missed.at(-1)!);
    assert.deepEqual(resumed.seqs(), missed);
    const [live] = await append(ws, 1);
    await resumed.waitForSeq(live!);
    assert.deepEqual(resumed.seqs(), [...missed, live]);
  } finally {
    resumed.close();
  }

  // ?after= does the same; Last-Event-ID (what EventSource sends on reconnect) wins over it.
  const viaQuery = await openStream(owner, `?after=${missed[499]}&once=1`);
  await viaQuery.waitFor((s) => s.ended, 'the once stream to end');
  assert.equal(viaQuery.seqs().length, 1);
  const both = await openStream(owner, '?after=0&once=1', { 'last-event-id': String(missed[498]) });
  await both.waitFor((s) => s.ended, 'the once stream to end');
  assert.deepEqual(both.seqs(), [missed[499], missed[499]! + 1]);
});

test('a client far behind is paged through in batches (1234 events from the start)', async () => {
  const owner = await signUpOwner(h.app);
  const ws = await workspaceOf(owner);
  const all = await appendMany(ws, 1234, 200);
  const stream = await openStream(owner, '?after=0');
  try {
    await stream.waitForSeq(all.at(-1)!);
    assert.deepEqual(stream.seqs(), range(1, 1234));
  } finally {
    stream.close();
  }
  // once=1 returns one batch of at most 500 and ends: a polling client asks again from its last id.
  const polled: number[] = [];
  let after = 0;
  for (;;) {
    const page = await openStream(owner, `?after=${after}&once=1`);
    await page.waitFor((s) => s.ended, 'a once page');
    assert.ok(page.seqs().length <= 500);
    if (page.seqs().length === 0) break;
    polled.push(...page.seqs());
    after = Number(page.lastId());
  }
  assert.deepEqual(polled, range(1, 1234));
});

test('concurrent appenders in many transactions: the stream sees every seq once, strictly increasing, no gaps', async () => {
  const owner = await signUpOwner(h.app);
  const ws = await workspaceOf(owner);
  const start = await latest(ws);
  const stream = await openStream(owner);
  try {
    const workers = 12;
    const perWorker = 15;
    const results = await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const seqs: number[] = [];
        for (let i = 0; i < perWorker; i++) seqs.push(...(await append(ws, 1 + ((w + i) % 3))));
        return seqs;
      }),
    );
    const appended = results.flat().sort((a, b) => a - b);
    const total = appended.length;
    assert.deepEqual(appended, range(start + 1, start + total), 'append handed out each seq once');
    await stream.waitForSeq(start + total);
    assert.deepEqual(stream.seqs(), range(start + 1, start + total));
  } finally {
    stream.close();
  }
});

test("another workspace's events never appear on a stream; B's API key gets nothing of A", async () => {
  const a = await signUpOwner(h.app);
  const b = await signUpOwner(h.app);
  const wsA = await workspaceOf(a);
  const wsB = await workspaceOf(b);
  const bKey = await addApiKey(b, 'agent');
  const aConversation = randomUUID();
  let lastA: number | undefined;
  const streams = {
    a: await openStream(a),
    bOwner: await openStream(b),
    bKey: await openStream(bKey),
  };
  try {
    for (const s of Object.values(streams)) assert.equal(s.status, 200);
    // B's owner naming A's workspace, and B's key with A's workspace header: 404.
    assert.equal((await openStream(b, '', { 'x-workspace-id': wsA })).status, 404);
    const keyInA = await SseStream.open(`${base}/api/v1/events`, {
      authorization: `Bearer ${bKey.bearer}`,
      'x-workspace-id': wsA,
    });
    assert.equal(keyInA.status, 404);

    const aSeqs = await append(wsA, 10, { conversationId: aConversation, data: { secret: 'of A' } });
    const bSeqs = await append(wsB, 3);
    await streams.a.waitForSeq(aSeqs.at(-1)!);
    await streams.bOwner.waitForSeq(bSeqs.at(-1)!);
    await streams.bKey.waitForSeq(bSeqs.at(-1)!);
    // More of A after B's last: were A's events leaking, they would have arrived by now.
    [lastA] = await append(wsA, 1, { conversationId: aConversation });
    await streams.a.waitForSeq(lastA!);
    const [lastB] = await append(wsB, 1);
    await streams.bKey.waitForSeq(lastB!);
    await streams.bOwner.waitForSeq(lastB!);
    assert.deepEqual(streams.a.seqs(), [...aSeqs, lastA]);
    for (const s of [streams.bOwner, streams.bKey]) {
      assert.deepEqual(s.seqs(), [...bSeqs, lastB]);
      const text = JSON.stringify(s.events);
      assert.ok(!text.includes(aConversation) && !text.includes('of A') && !text.includes(wsA));
    }
    // The whole log from the start, as B's key: B's events only.
    const all = await openStream(bKey, '?after=0&once=1');
    await all.waitFor((s) => s.ended, 'the once stream to end');
    assert.deepEqual(all.seqs(), [...bSeqs, lastB]);
    assert.ok(!JSON.stringify(all.events).includes(aConversation));
  } finally {
    for (const s of Object.values(streams)) s.close();
  }

  // Below HTTP: B's scope cannot read or write A's log (forced RLS).
  const seen = await h.ctx.db.run({ workspaceId: wsB }, (tx) =>
    realtimeRepository(tx, wsA).listSince(0, 100),
  );
  assert.deepEqual(seen, []);
  assert.equal(await h.ctx.db.run({ workspaceId: wsB }, (tx) => realtimeRepository(tx, wsA).latestSeq()), 0);
  await assert.rejects(
    h.ctx.db.run({ workspaceId: wsB }, (tx) => realtimeRepository(tx, wsA).append({ type: 'typing' })),
  );
  assert.equal(await latest(wsA), lastA);
});

test('?workspaceId names the workspace as X-Workspace-Id does: a member follows it; a stranger gets not found; both must agree', async () => {
  const a = await signUpOwner(h.app);
  const b = await signUpOwner(h.app);
  const wsA = await workspaceOf(a);
  const wsB = await workspaceOf(b);
  // B's owner joins A as an agent; their first workspace (the default without a name) stays B.
  const inv = await a.post('/api/v1/invitations', { email: b.email, role: 'agent' });
  assert.equal(inv.status, 201, JSON.stringify(inv.body));
  const joined = await b.post('/api/v1/invitations/accept', { token: inv.body.token });
  assert.equal(joined.status, 200, JSON.stringify(joined.body));
  // Only the cookie, as the browser's EventSource sends it: no X-Workspace-Id.
  const asB = (query: string, extra: Record<string, string> = {}) =>
    SseStream.open(`${base}/api/v1/events${query}`, { cookie: `parley_session=${b.cookie}`, ...extra });
  const streams = {
    a: await asB(`?workspaceId=${wsA}`),
    b: await asB(''),
    aUpper: await asB(`?workspaceId=${wsA.toUpperCase()}`),
  };
  try {
    for (const s of Object.values(streams)) {
      assert.equal(s.status, 200, JSON.stringify(s.body));
      await s.waitFor((x) => x.events.some((e) => e.event === 'ready'), 'ready');
    }
    const aSeqs = await append(wsA, 3);
    const bSeqs = await append(wsB, 2);
    await streams.a.waitForSeq(aSeqs.at(-1)!);
    await streams.aUpper.waitForSeq(aSeqs.at(-1)!);
    await streams.b.waitForSeq(bSeqs.at(-1)!);
    assert.deepEqual(streams.a.seqs(), aSeqs);
    assert.deepEqual(streams.aUpper.seqs(), aSeqs);
    assert.deepEqual(streams.b.seqs(), bSeqs);
  } finally {
    for (const s of Object.values(streams)) s.close();
  }
  // With the header too: the same workspace is fine, two different ones are refused.
  const agree = await asB(`?workspaceId=${wsA}&after=0&once=1`, { 'x-workspace-id': wsA });
  assert.equal(agree.status, 200);
  await agree.waitFor((s) => s.ended, 'the once stream to end');
  assert.equal(agree.seqs().length, await latest(wsA));
  const disagree = await asB(`?workspaceId=${wsA}`, { 'x-workspace-id': wsB });
  assert.equal(disagree.status, 400);
  assert.equal(disagree.body.error.code, 'invalid_workspace_header');

  // A workspace the caller is not a member of: the same 404 as with the header, for a session and
  // for an API key (whose workspace is its own), and nothing of A in the answer.
  const c = await signUpOwner(h.app);
  const cKey = await addApiKey(c, 'agent');
  for (const [who, headers] of [
    ['a stranger (session)', { cookie: `parley_session=${c.cookie}` }],
    ["a stranger's API key", { authorization: `Bearer ${cKey.bearer}` }],
  ] as const) {
    const viaQuery = await SseStream.open(`${base}/api/v1/events?workspaceId=${wsA}&after=0&once=1`, headers);
    const viaHeader = await SseStream.open(`${base}/api/v1/events?after=0&once=1`, {
      ...headers,
      'x-workspace-id': wsA,
    });
    assert.equal(viaQuery.status, 404, `${who}: ${JSON.stringify(viaQuery.body)}`);
    assert.equal(viaQuery.body.error.code, 'not_found');
    assert.equal(viaHeader.status, viaQuery.status);
    assert.equal(viaHeader.body.error.code, viaQuery.body.error.code);
    assert.ok(!JSON.stringify(viaQuery.body).includes(wsA));
  }
  // A member without conversations.read is refused as with the header.
  const analyst = await addMember(a, 'analyst');
  const refused = await SseStream.open(`${base}/api/v1/events?workspaceId=${wsA}`, {
    cookie: `parley_session=${analyst.cookie}`,
  });
  assert.equal(refused.status, 403);
  // Not a workspace id: 400.
  for (const query of ['?workspaceId=abc', '?workspaceId=', `?workspaceId=${wsA}&workspaceId=${wsB}`]) {
    const res = await asB(query);
    assert.equal(res.status, 400, `${query}: ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'validation_failed');
  }
});

test('resync: a position older than the oldest retained event (pruned), or past the newest', async () => {
  const owner = await signUpOwner(h.app);
  const ws = await workspaceOf(owner);
  await append(ws, 10);
  const pruned = await h.ctx.db.run({ workspaceId: ws }, (tx) =>
    realtimeRepository(tx, ws).pruneBatch(new Date(Date.now() + 60_000), 5000),
  );
  assert.deepEqual(pruned, { deleted: 10, done: true });
  await append(ws, 2); // 11, 12 retained; 1..10 gone

  const old = await openStream(owner, '', { 'last-event-id': '3' });
  try {
    await old.waitFor((s) => s.events.some((e) => e.event === 'resync'), 'resync');
    const resync = old.events.find((e) => e.event === 'resync')!;
    assert.equal(resync.id, '12');
    assert.deepEqual(JSON.parse(resync.data), { seq: 12, reason: 'events_pruned' });
    // The stream goes on from there.
    const [next] = await append(ws, 1);
    await old.waitForSeq(next!);
    assert.deepEqual(old.seqs(), [13]);
  } finally {
    old.close();
  }

  // From just before the oldest retained: no resync, the retained events.
  const edge = await openStream(owner, '?after=10&once=1');
  await edge.waitFor((s) => s.ended, 'once');
  assert.deepEqual(edge.seqs(), [11, 12, 13]);
  assert.ok(!edge.events.some((e) => e.event === 'resync'));

  const ahead = await openStream(owner, '?after=999&once=1');
  await ahead.waitFor((s) => s.ended, 'once');
  const resync = ahead.events.find((e) => e.event === 'resync');
  assert.deepEqual(resync && JSON.parse(resync.data), { seq: 13, reason: 'unknown_position' });
});

test('the hub: hydrate merges into data in the stream transaction; heartbeats; a failed re-authorization ends the stream', async () => {
  const owner = await signUpOwner(h.app);
  const ws = await workspaceOf(owner);
  let allowed = true;
  const hub = createRealtimeHub({
    db: h.ctx.db,
    logger: h.ctx.logger,
    heartbeatMs: 40,
    reauthorizeMs: 40,
    hydrate: async (tx, workspaceId, event) => {
      if (event.type === 'typing') return null;
      if (event.type === 'channel.updated') throw new Error('hydrate broke');
      const [row] = await queryRows<{ scope: string }>(
        tx,
        sql`select current_setting('app.workspace_id') as scope`,
      );
      return { message: { id: event.messageId, scope: row?.scope, workspaceId }, direction: 'out' };
    },
  });
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const ended = new Promise<void>((resolve) => out.on('end', resolve));
  try {
    await hub.open({ workspaceId: ws, afterSeq: await latest(ws), out, reauthorize: async () => allowed });
    const messageId = randomUUID();
    await append(ws, 1, { type: 'message.created', messageId, data: { direction: 'in', kept: true } });
    await append(ws, 1, { type: 'typing', data: {} });
    await append(ws, 1, { type: 'channel.updated', data: { status: 'active' } });
    const deadline = Date.now() + 10_000;
    while (!text.includes('event: channel.updated') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const data = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
    const [created, typing, channel] = data.slice(1); // after `ready`
    assert.deepEqual(created.data, {
      direction: 'out',
      kept: true,
      message: { id: messageId, scope: ws, workspaceId: ws },
    });
    assert.deepEqual(typing.data, {});
    assert.deepEqual(channel.data, { status: 'active' }, 'a failing hydrate still sends the event');
    await new Promise((r) => setTimeout(r, 150));
    assert.match(text, /^: ping$/m);
    assert.equal(hub.size, 1);
    allowed = false;
    await ended;
    assert.match(text, /: not authorized\n\n$/);
    assert.equal(hub.size, 0);
  } finally {
    await hub.close();
  }
  await assert.rejects(hub.open({ workspaceId: ws, afterSeq: 0, out: new PassThrough() }));
});

test('PostgreSQL: the LISTEN connection is killed — streams catch up once it is back, missing nothing', async (t) => {
  if (h.database.engine !== 'postgres') {
    t.skip('PGlite listens on its own in-process connection, which cannot drop');
    return;
  }
  const owner = await signUpOwner(h.app);
  const ws = await workspaceOf(owner);
  const stream = await openStream(owner);
  try {
    const [warm] = await append(ws, 1);
    await stream.waitForSeq(warm!);
    // One transaction appends, then kills the listener and commits at once: the listener waits
    // >= 50 ms before it reconnects, so the NOTIFYs of this commit reach no one.
    const { killed, during } = await h.ctx.db.asOwner(async (tx) => {
      await setScope(tx, { workspaceId: ws });
      const log = realtimeRepository(tx, ws);
      const seqs: number[] = [];
      for (let i = 0; i < 20; i++) seqs.push(await log.append({ type: 'typing', data: { i } }));
      await tx.execute(sql`reset role`);
      const rows = await queryRows<{ ok: boolean }>(
        tx,
        sql`select pg_terminate_backend(pid) as ok from pg_stat_activity
            where application_name = 'parley-listen' and datname = current_database()`,
      );
      return { killed: rows, during: seqs };
    });
    assert.ok(killed.length >= 1 && killed.every((r) => r.ok), 'the listener was terminated');
    // Nothing else is appended: only the re-read on reconnect can bring them.
    await stream.waitForSeq(during.at(-1)!, 15_000);
    assert.deepEqual(stream.seqs(), [warm!, ...during]);
    assert.ok(h.logs.some((l) => l.includes('LISTEN connection re-established')));
    const [afterwards] = await append(ws, 1);
    await stream.waitForSeq(afterwards!);
  } finally {
    stream.close();
  }
});

/** Makes events of a workspace look `hours` old (created_at is the database's own clock). */
async function age(workspaceId: string, seqs: number[], hours: number): Promise<void> {
  await h.ctx.db.asOwner((tx) =>
    tx.execute(
      sql`update realtime_events set created_at = now() - make_interval(hours => ${hours}::int)
          where workspace_id = ${workspaceId} and seq = any(${sql.param(seqs)}::int8[])`,
    ),
  );
}

async function retainedSeqs(workspaceId: string): Promise<number[]> {
  const rows = await h.ctx.db.asOwner((tx) =>
    queryRows<{ seq: number }>(
      tx,
      sql`select seq::int as seq from realtime_events where workspace_id = ${workspaceId} order by seq`,
    ),
  );
  return rows.map((r) => r.seq);
}

test('retention: events older than REALTIME_RETENTION_HOURS are pruned in every workspace, oldest first, in batches; a stream resuming from a pruned id is told to resync', async () => {
  const a = await signUpOwner(h.app);
  const b = await signUpOwner(h.app);
  const wsA = await workspaceOf(a);
  const wsB = await workspaceOf(b);
  await appendMany(wsA, 12, 4); // 1..12
  await appendMany(wsB, 5, 5); // 1..5
  await age(wsA, range(1, 7), 25); // older than the 24 h default
  // Seq 9 is old too, but 8 (committed after 7, before 9) is not: pruning removes the oldest
  // *run*, so 8 and 9 stay and the retained log has no hole a stream could skip over.
  await age(wsA, [9], 30);
  await age(wsB, [1, 2, 3], 48);
  assert.equal(h.config.realtime.retentionHours, 24);

  // A batch of 3: 7 + 3 rows in statements of at most 3.
  assert.equal(await pruneRealtimeEvents(h.ctx, { batchSize: 3 }), 10);
  assert.deepEqual(await retainedSeqs(wsA), range(8, 12));
  assert.deepEqual(await retainedSeqs(wsB), [4, 5]);
  assert.equal(await pruneRealtimeEvents(h.ctx), 0, 'nothing more is old enough');
  // The cursors keep counting: the next seq follows on.
  assert.deepEqual(await append(wsA, 1), [13]);

  // Resuming from a pruned position: resync with the newest seq, then live events.
  const stale = await openStream(a, '', { 'last-event-id': '3' });
  try {
    await stale.waitFor((s) => s.events.some((e) => e.event === 'resync'), 'resync');
    const resync = stale.events.find((e) => e.event === 'resync')!;
    assert.equal(resync.id, '13');
    assert.deepEqual(JSON.parse(resync.data), { seq: 13, reason: 'events_pruned' });
    assert.deepEqual(stale.seqs(), [], 'no event after a hole is passed off as the next one');
    const [next] = await append(wsA, 1);
    await stale.waitForSeq(next!);
    assert.deepEqual(stale.seqs(), [14]);
  } finally {
    stale.close();
  }
  // From just before the oldest retained: everything, no resync.
  const edge = await openStream(a, '?after=7&once=1');
  await edge.waitFor((s) => s.ended, 'once');
  assert.deepEqual(edge.seqs(), range(8, 14));
  assert.ok(!edge.events.some((e) => e.event === 'resync'));
  // B's stream from its pruned start also resyncs; its retained events were not touched by A's.
  const bOld = await openStream(b, '?after=1&once=1');
  await bOld.waitFor((s) => s.ended, 'once');
  assert.deepEqual(JSON.parse(bOld.events.find((e) => e.event === 'resync')!.data), {
    seq: 5,
    reason: 'events_pruned',
  });
});

test('pruneBatch: at most `limit` events a call, from the oldest, stopping at the first young one', async () => {
  const owner = await signUpOwner(h.app);
  const ws = await workspaceOf(owner);
  await appendMany(ws, 9, 9);
  await age(ws, range(1, 7), 30);
  await age(ws, [9], 30); // old, but after a young one: kept
  const cutoff = new Date(Date.now() - 24 * 3_600_000);
  const batch = () =>
    h.ctx.db.run({ workspaceId: ws }, (tx) => realtimeRepository(tx, ws).pruneBatch(cutoff, 3));
  assert.deepEqual(await batch(), { deleted: 3, done: false });
  assert.deepEqual(await retainedSeqs(ws), range(4, 9));
  assert.deepEqual(await batch(), { deleted: 3, done: false });
  assert.deepEqual(await batch(), { deleted: 1, done: true });
  assert.deepEqual(await batch(), { deleted: 0, done: true });
  assert.deepEqual(await retainedSeqs(ws), [8, 9]);
});

test('retention respects tenancy: a workspace scope cannot prune another workspace; the system scope sees cursors, not events', async () => {
  const a = await signUpOwner(h.app);
  const b = await signUpOwner(h.app);
  const wsA = await workspaceOf(a);
  const wsB = await workspaceOf(b);
  await append(wsA, 3);
  await age(wsA, [1, 2, 3], 100);
  const future = new Date(Date.now() + 60_000);
  // B's scope running A's pruning statement sees none of A's rows (forced RLS).
  const foreign = await h.ctx.db.run({ workspaceId: wsB }, (tx) =>
    realtimeRepository(tx, wsA).pruneBatch(future, 5000),
  );
  assert.deepEqual(foreign, { deleted: 0, done: true });
  assert.deepEqual(await retainedSeqs(wsA), [1, 2, 3]);
  // The system scope lists the workspaces with a log, and reads or deletes no event.
  await h.ctx.db.run({ system: true }, async (tx) => {
    assert.ok((await realtimeWorkspaces(tx)).includes(wsA));
    const [row] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from realtime_events`);
    assert.equal(row?.n, 0);
    const gone = await queryRows(
      tx,
      sql`delete from realtime_events where workspace_id = ${wsA} returning 1`,
    );
    assert.equal(gone.length, 0);
  });
  // A scope with no workspace lists nothing.
  assert.deepEqual(await h.ctx.db.run({}, (tx) => realtimeWorkspaces(tx)), []);
  assert.deepEqual(await retainedSeqs(wsA), [1, 2, 3]);
});

test('the workers prune on their own: at start, then every 10 minutes of the clock, by REALTIME_RETENTION_HOURS', async () => {
  const owner = await signUpOwner(h.app);
  const ws = await workspaceOf(owner);
  await append(ws, 4);
  await age(ws, [1, 2], 3);
  // A process configured to keep 2 hours, with its own clock (the shared one stays put).
  let now = Date.now();
  const ctx = {
    ...h.ctx,
    config: { ...h.config, realtime: { retentionHours: 2 } },
    clock: { now: () => new Date(now) },
  };
  const workers = startAppWorkers(ctx, { idleMs: 20, periodicMs: 20 });
  try {
    await eventuallyTrue(
      async () => (await retainedSeqs(ws)).join() === '3,4',
      'seqs 1 and 2 pruned at start',
    );
    // 3 and 4 now look 3 hours old as well, but the task waits for 10 minutes of its clock.
    await age(ws, [3, 4], 3);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await retainedSeqs(ws), [3, 4], 'not again within 10 minutes');
    now += 10 * 60_000;
    await eventuallyTrue(async () => (await retainedSeqs(ws)).length === 0, 'seqs 3 and 4 pruned');
  } finally {
    await workers.stop();
  }
  // A client that was at seq 2 is told to resync; one at the newest seq is simply up to date.
  const behind = await openStream(owner, '?after=2&once=1');
  await behind.waitFor((s) => s.ended, 'once');
  assert.deepEqual(JSON.parse(behind.events.find((e) => e.event === 'resync')!.data), {
    seq: 4,
    reason: 'events_pruned',
  });
  const current = await openStream(owner, '?after=4&once=1');
  await current.waitFor((s) => s.ended, 'once');
  assert.deepEqual(
    current.events.map((e) => e.event),
    ['ready'],
  );
});

async function eventuallyTrue(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('server shutdown ends open streams cleanly (last)', async () => {
  const owner = await signUpOwner(h.app);
  const stream = await openStream(owner);
  await stream.waitFor((s) => s.events.length > 0, 'ready');
  const started = Date.now();
  appClosed = true;
  await h.app.close();
  await stream.waitFor((s) => s.ended, 'the stream to end', 5_000);
  assert.ok(Date.now() - started < 5_000, 'close did not wait for the stream');
  assert.ok(stream.comments.includes('server shutting down'));
});
