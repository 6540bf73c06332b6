/**
 * The job runner when a job throws something unexpected (a database error, a bug) rather than a
 * failure Meta classified: the failure is stored as a safe text, the job is tried again after a
 * backoff, and given up after its attempts — a send then shows as failed to the agent. A job never
 * stays claimed forever, is never run in a tight loop, and never holds up the jobs behind it.
 * Jobs run here through `runJobBatch` with a scripted gateway (no simulator); the whole path over
 * HTTP and the simulator is in job-failures-flow.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { ChannelError } from '@parley/channels';
import {
  DomainError,
  MAX_SEND_ATTEMPTS,
  type ChannelGateway,
  type ChannelRecord,
  type SendResult,
} from '@parley/core';
import { queryRows, realtimeRepository, type Database } from '@parley/db';
import type { AppContext } from '../src/app-context.ts';
import { failureText } from '../src/workers/failure-text.ts';
import { failedJobBackoffMs, JOB_ATTEMPTS, runJobBatch } from '../src/workers/job-runner.ts';
import { signUpOwner } from './helpers/factories.ts';
import type { HttpClient } from './helpers/http-client.ts';
import { seedChannel, seedInbound } from './helpers/conversations.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

let h: TestHarness;
before(async () => {
  h = await createTestApp();
});
after(async () => h.close());

const NUL = '\u0000';

type Send = ChannelGateway['send'];

/** The real gateway with a scripted `send` (and read receipts that always succeed). */
function gatewayWith(send: Send, extra: Partial<ChannelGateway> = {}): ChannelGateway {
  return { ...h.ctx.gateway, send, markRead: async () => ({ ok: true }), ...extra };
}

function runJobs(gateway: ChannelGateway, ctx: AppContext = h.ctx) {
  return runJobBatch(ctx, { gateway, storage: ctx.storage }, 20);
}

/** Sends go out with a new provider id each, except what `special` decides for a message id. */
function scriptedSend(special: (messageId: string) => SendResult | null) {
  const calls: string[] = [];
  const send: Send = async (_channel, _credentials, _to, _content, opts) => {
    calls.push(opts.callbackData);
    return (
      special(opts.callbackData) ?? { ok: true, providerMessageId: `wamid.${calls.length}.${Date.now()}` }
    );
  };
  return { send, calls, count: (id: string) => calls.filter((c) => c === id).length };
}

interface Inbox {
  owner: HttpClient;
  ws: string;
  channel: ChannelRecord;
  conversationId: string;
}

async function inbox(): Promise<Inbox> {
  const owner = await signUpOwner(h.app);
  const ws = owner.workspaceId!;
  const channel = await seedChannel(h, ws);
  const { conversationId } = await seedInbound(h, channel);
  return { owner, ws, channel, conversationId };
}

async function reply(i: Inbox, text: string): Promise<string> {
  const res = await i.owner.post(`/api/v1/conversations/${i.conversationId}/messages`, {
    content: { type: 'text', text },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

interface JobRow {
  attempts: number;
  run_at: Date;
  locked_until: Date | null;
  last_error: string | null;
}

async function jobOf(refId: string): Promise<JobRow | null> {
  const [row] = await h.ctx.db.asOwner((tx) =>
    queryRows<JobRow>(
      tx,
      sql`select attempts, run_at, locked_until, last_error from jobs where ref_id = ${refId}`,
    ),
  );
  return row
    ? { ...row, run_at: new Date(row.run_at), locked_until: row.locked_until && new Date(row.locked_until) }
    : null;
}

async function messageOf(i: Inbox, id: string) {
  const res = await i.owner.get(`/api/v1/messages/${id}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function eventsOf(ws: string) {
  return h.ctx.db.run({ workspaceId: ws }, (tx) => realtimeRepository(tx, ws).listSince(0, 1000));
}

test('failureText: the database’s reason and SQLSTATE, never the query, its parameters, quoted values or a NUL', async () => {
  const dbError = async (query: ReturnType<typeof sql>) => {
    try {
      await h.ctx.db.run({}, (tx) => tx.execute(query));
    } catch (e) {
      return e;
    }
    assert.fail('the query should have failed');
  };
  const nul = failureText(await dbError(sql`select ${`secret body${NUL}`}::text`));
  assert.match(nul, /^invalid byte sequence for encoding "UTF8": 0x00 \(SQLSTATE 22021\)$/);
  const uuid = failureText(await dbError(sql`select ${'EAAGsecret-token'}::uuid`));
  assert.equal(uuid, 'invalid input syntax for type uuid: "[redacted]" (SQLSTATE 22P02)');
  const range = failureText(await dbError(sql`select ${'99999999999'}::int`));
  assert.equal(range, 'value "[redacted]" is out of range for type integer (SQLSTATE 22003)');
  // The names PostgreSQL quotes are kept.
  const unknown = failureText(await dbError(sql`select * from no_such_table`));
  assert.equal(unknown, 'relation "no_such_table" does not exist (SQLSTATE 42P01)');

  let parseError: unknown;
  try {
    JSON.parse('hello secret body');
  } catch (e) {
    parseError = e;
  }
  assert.doesNotMatch(failureText(parseError), /secret|hello/);
  assert.match(failureText(parseError), /^SyntaxError: /);
  assert.equal(
    failureText(new ChannelError('x', { class: 'retryable', code: -1, title: 'Network failure' })),
    'retryable -1: Network failure',
  );
  assert.equal(failureText(new DomainError('decryption_failed', 'Could not decrypt')), 'decryption_failed');
  assert.equal(failureText(new TypeError(`bad${NUL}`)), 'TypeError: bad');
  assert.equal(failureText('a string'), 'processing failed');
  assert.equal(failureText(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), 'Error: write EPIPE');
});

test('a send whose failure the database refuses (a NUL in Meta’s error title) is retried with backoff, then fails for the agent; the sends behind it go out', async () => {
  const i = await inbox();
  const poison = await reply(i, 'the poison body');
  const good = await reply(i, 'the good one');
  const script = scriptedSend((id) =>
    id === poison
      ? { ok: false, failure: { class: 'invalid_request', code: 100, title: `Invalid parameter${NUL}` } }
      : null,
  );
  const gateway = gatewayWith(script.send);
  const started = h.clock.now().getTime();

  assert.equal(await runJobs(gateway), 2);
  assert.equal((await messageOf(i, good)).status, 'sent', 'the send queued behind it went out');
  assert.equal(await jobOf(good), null);
  let job = await jobOf(poison);
  assert.ok(job, 'the failing send is still queued');
  assert.equal(job.attempts, 1);
  assert.equal(job.locked_until, null, 'not left claimed');
  assert.equal(job.run_at.getTime(), started + failedJobBackoffMs(1));
  assert.match(job.last_error ?? '', /^invalid byte sequence for encoding "UTF8": 0x00 \(SQLSTATE 22021\)$/);
  assert.equal((await messageOf(i, poison)).status, 'queued');
  // Not due yet: nothing runs (no tight loop).
  assert.equal(await runJobs(gateway), 0);

  for (let attempt = 2; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
    h.clock.advance(failedJobBackoffMs(attempt - 1));
    assert.equal(await runJobs(gateway), 1, `attempt ${attempt}`);
    job = await jobOf(poison);
    if (attempt < MAX_SEND_ATTEMPTS) assert.equal(job?.attempts, attempt);
  }
  assert.equal(script.count(poison), MAX_SEND_ATTEMPTS, 'Meta was asked once per attempt');
  assert.equal(script.count(good), 1);
  assert.equal(await jobOf(poison), null, 'given up: the job is gone');
  const failed = await messageOf(i, poison);
  assert.equal(failed.status, 'failed');
  assert.deepEqual(
    { code: failed.error.code, class: failed.error.class, title: failed.error.title },
    { code: 0, class: 'internal', title: 'Parley could not send this message' },
  );
  assert.match(failed.error.explanation, /^Not sent: Parley could not send it/);
  const update = (await eventsOf(i.ws)).find(
    (e) => e.type === 'message.updated' && e.messageId === poison && e.data.status === 'failed',
  );
  assert.ok(update, 'the agent’s stream is told');
  h.clock.advance(60 * 60_000);
  assert.equal(await runJobs(gateway), 0, 'nothing left to run');

  // What was logged: which job failed and why, never the text sent, a NUL or the query's parameters.
  const logged = h.logs.filter((l) => l.includes('"job failed"') || l.includes('"job given up"'));
  assert.ok(logged.length >= MAX_SEND_ATTEMPTS);
  for (const line of logged) {
    assert.ok(!line.includes('poison body'), line.slice(0, 400));
    assert.ok(!line.includes('\\u0000'), line.slice(0, 400));
    assert.ok(!line.includes('Invalid parameter'), line.slice(0, 400));
  }
  assert.ok(logged.some((l) => l.includes('params: [redacted]')));
});

test('Meta accepted a send whose outcome the database refuses (a NUL in Meta’s message id): marked sent, never sent again', async () => {
  const i = await inbox();
  const accepted = await reply(i, 'sent exactly once');
  const after = await reply(i, 'and the next one');
  const script = scriptedSend((id) =>
    id === accepted ? { ok: true, providerMessageId: `wamid.x${NUL}y` } : null,
  );
  const gateway = gatewayWith(script.send);
  assert.equal(await runJobs(gateway), 2);
  assert.equal(await jobOf(accepted), null, 'settled at once');
  const sent = await messageOf(i, accepted);
  assert.equal(sent.status, 'sent');
  assert.equal(sent.error, null);
  assert.equal((await messageOf(i, after)).status, 'sent');
  // Past any lease and backoff: it is never sent again.
  h.clock.advance(60 * 60_000);
  assert.equal(await runJobs(gateway), 0);
  assert.equal(script.count(accepted), 1);
  assert.ok(h.logs.some((l) => l.includes('send accepted by Meta but not recorded')));
});

test('a job whose worker died with it every time is given up at its next claim, without running again', async () => {
  const i = await inbox();
  const stuck = await reply(i, 'stuck');
  // As if claimed MAX_SEND_ATTEMPTS times by workers that died before recording anything.
  await h.ctx.db.asOwner((tx) =>
    tx.execute(
      sql`update jobs set attempts = ${JOB_ATTEMPTS['message.send']},
            locked_until = ${new Date(h.clock.now().getTime() - 1000).toISOString()}::timestamptz
          where ref_id = ${stuck}`,
    ),
  );
  const script = scriptedSend(() => null);
  assert.equal(await runJobs(gatewayWith(script.send)), 1);
  assert.equal(script.count(stuck), 0, 'not sent once more');
  assert.equal(await jobOf(stuck), null);
  const failed = await messageOf(i, stuck);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error.class, 'internal');
});

test('when not even the failure can be written (the database refuses), the job comes back after its lease and settles once the database is back', async () => {
  const i = await inbox();
  const message = await reply(i, 'while the database is away');
  let down = true;
  // The claim (system scope) works; every workspace transaction fails, the recording ones too.
  const db: Database = {
    ...h.ctx.db,
    run: (scope, fn) =>
      down && scope.workspaceId
        ? Promise.reject(new Error('Connection terminated unexpectedly'))
        : h.ctx.db.run(scope, fn),
  };
  const ctx: AppContext = { ...h.ctx, db };
  const script = scriptedSend(() => null);
  const gateway = gatewayWith(script.send);

  assert.equal(await runJobs(gateway, ctx), 1, 'runJobBatch itself does not throw');
  let job = await jobOf(message);
  assert.equal(job?.attempts, 1);
  assert.ok(job?.locked_until, 'still leased: nothing could be written');
  assert.equal(await runJobs(gateway, ctx), 0, 'not claimed again while leased');
  // Each lease that runs out is one more attempt; past the last one it is given up without running.
  for (let attempt = 2; attempt <= MAX_SEND_ATTEMPTS + 1; attempt++) {
    h.clock.advance(2 * 60_000 + 1);
    assert.equal(await runJobs(gateway, ctx), 1);
  }
  job = await jobOf(message);
  assert.equal(job?.attempts, MAX_SEND_ATTEMPTS + 1);
  assert.equal(script.count(message), 0);
  assert.ok(h.logs.some((l) => l.includes('job could not be ended; tried again after its lease')));

  down = false;
  h.clock.advance(2 * 60_000 + 1);
  assert.equal(await runJobs(gateway, ctx), 1);
  assert.equal(await jobOf(message), null);
  assert.equal(script.count(message), 0, 'given up, not sent after so long');
  assert.equal((await messageOf(i, message)).status, 'failed');
});

test('a media download whose storage keeps throwing is retried with backoff, then marked failed', async () => {
  const owner = await signUpOwner(h.app);
  const ws = owner.workspaceId!;
  const channel = await seedChannel(h, ws);
  const { messageId } = await seedInbound(h, channel, {
    content: { type: 'image', media: { providerMediaId: '1234567890', mimeType: 'image/jpeg' } },
  });
  const [media] = await h.ctx.db.asOwner((tx) =>
    queryRows<{ id: string }>(tx, sql`select id from media_objects where message_id = ${messageId}`),
  );
  assert.ok(media);
  const gateway = gatewayWith(scriptedSend(() => null).send, {
    fetchMedia: async () => ({ bytes: Buffer.from('not really a jpeg'), mimeType: 'image/jpeg' }),
  });
  const ctx: AppContext = {
    ...h.ctx,
    storage: {
      ...h.ctx.storage,
      put: async () => {
        throw new Error('S3 unavailable');
      },
    },
  };
  for (let attempt = 1; attempt <= JOB_ATTEMPTS['media.fetch']; attempt++) {
    assert.equal(await runJobs(gateway, ctx), 1, `attempt ${attempt}`);
    const job = await jobOf(media.id);
    if (attempt < JOB_ATTEMPTS['media.fetch']) {
      assert.equal(job?.attempts, attempt);
      assert.equal(job?.last_error, 'Error: S3 unavailable');
      h.clock.advance(failedJobBackoffMs(attempt));
    } else {
      assert.equal(job, null);
    }
  }
  const res = await owner.get(`/api/v1/messages/${messageId}`);
  assert.equal(res.body.media.status, 'failed');
  const update = (await eventsOf(ws)).find((e) => e.messageId === messageId && e.data.media === 'failed');
  assert.ok(update, 'the agent’s stream is told');
  h.clock.advance(60 * 60_000);
  assert.equal(await runJobs(gateway, ctx), 0);
});
