/**
 * The inbox's event stream in Chromium's own EventSource: the workspace in the URL, a dropped
 * connection resumed by the browser with Last-Event-ID (nothing missed), a stream whose session
 * has ended stops asking instead of reconnecting forever, and one that comes back after the events
 * it missed were pruned is told to resync and refetches.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { DEMO } from '@parley/simulator';
import { queryRows, realtimeRepository } from '@parley/db';
import { pruneRealtimeEvents } from '../../server/src/realtime/retention.ts';
import { signUpOwner } from '../../server/test/helpers/factories.ts';
import { connectDemoChannels, eventually } from '../../server/test/helpers/live-app.ts';
import { signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
before(async () => {
  if (!skip) w = await startWebHarness({ live: true });
});
after(async () => {
  if (!skip) await w.close();
});

/** The simulator's demo number belongs to one workspace at a time: the tests share it. */
let shared: Awaited<ReturnType<typeof signUpOwner>> | null = null;
async function ownerWithChannels() {
  if (!shared) {
    shared = await signUpOwner(w.h.app, { workspaceName: 'Stream Bakery' });
    await connectDemoChannels(shared);
  }
  return shared;
}

interface StreamRequest {
  method: string;
  url: string;
  lastEventId: string | undefined;
  socket: Socket;
  status: number | null;
}

test(
  'a dropped stream is resumed by the browser with Last-Event-ID; an ended session stops it',
  { skip },
  async () => {
    const live = w.live!;
    const owner = await ownerWithChannels();
    // Every request for the stream, as the server sees it.
    const seen: StreamRequest[] = [];
    const watch = (req: IncomingMessage, res: ServerResponse) => {
      if (!req.url?.startsWith('/api/v1/events')) return;
      const r: StreamRequest = {
        method: req.method ?? '',
        url: req.url,
        lastEventId: req.headers['last-event-id'] as string | undefined,
        socket: req.socket,
        status: null,
      };
      seen.push(r);
      res.on('finish', () => (r.status = res.statusCode));
    };
    w.h.app.server.on('request', watch);
    try {
      const { page, problems } = await w.newPage();
      await page.goto(`/w/${owner.workspaceId}/inbox`);
      await signIn(page, owner.email);
      await page.getByText('No conversations here.').waitFor();
      const first = await eventually(async () => seen[0], 'the stream to open');
      assert.equal(first.method, 'GET');
      assert.equal(first.url, `/api/v1/events?workspaceId=${owner.workspaceId}`);
      assert.equal(first.lastEventId, undefined);

      const rosa = await live.simClient.createCustomer({ name: 'Rosa Stream' });
      await live.simClient.customerSends(rosa.id, DEMO.phoneNumberId, { type: 'text', text: 'First one' });
      const item = page
        .getByRole('list', { name: 'Conversations' })
        .getByRole('link', { name: /Rosa Stream/ });
      await item.waitFor();
      await item.click();
      await page.getByRole('article', { name: 'From the customer' }).getByText('First one').waitFor();

      // The connection under the stream drops (a proxy restarts, the network blinks); the customer
      // writes before the browser is back. EventSource reconnects after the server's `retry:`
      // (2 s), says where it was, and the message arrives.
      first.socket.destroy();
      await live.simClient.customerSends(rosa.id, DEMO.phoneNumberId, { type: 'text', text: 'While away' });
      await page.getByRole('article', { name: 'From the customer' }).getByText('While away').waitFor();
      const resumed = seen.filter((r) => r.method === 'GET')[1];
      assert.ok(resumed, 'the browser opened a second stream');
      assert.equal(resumed.url, first.url);
      assert.match(resumed.lastEventId ?? '', /^[0-9]+$/, 'the reconnect carries Last-Event-ID');
      assert.ok(Number(resumed.lastEventId) > 0);

      // The session ends elsewhere (signed out from another device), then the stream drops. Either
      // the stream finds out first (the browser's reconnect gets 401, EventSource gives up, one
      // HEAD confirms why) or another request of the page does and the app closes the stream as it
      // signs out. Either way the page stops asking: no reconnect loop.
      const sessions = await owner.get('/api/v1/auth/sessions');
      const browserSession = sessions.body.items.find((s: { current: boolean }) => !s.current);
      assert.ok(browserSession);
      assert.equal((await owner.delete(`/api/v1/auth/sessions/${browserSession.id}`)).status, 204);
      const before = seen.length;
      resumed.socket.destroy();
      const since = () => seen.slice(before).map((r) => `${r.method} ${r.status ?? 'open'}`);
      await new Promise((r) => setTimeout(r, 8000));
      const settled = since();
      assert.ok(
        ['', 'GET 401,HEAD 401'].includes(settled.join(',')),
        `stream requests after the drop: ${settled.join(', ')}`,
      );
      if (settled.length === 0) {
        // The app learned it first: it shows why.
        await page.getByText('Your session has ended. Sign in again to continue where you were.').waitFor();
      }
      await new Promise((r) => setTimeout(r, 5000));
      assert.deepEqual(since(), settled, 'the page stops asking');
      assert.deepEqual(problems, []);
    } finally {
      w.h.app.server.off('request', watch);
    }
  },
);

test(
  'back after its missed events were pruned: the stream says resync and the page refetches what it missed',
  { skip },
  async () => {
    const live = w.live!;
    const owner = await ownerWithChannels();
    const ws = owner.workspaceId!;
    const streams: StreamRequest[] = [];
    const watch = (req: IncomingMessage, res: ServerResponse) => {
      if (!req.url?.startsWith('/api/v1/events') || req.method !== 'GET') return;
      const r: StreamRequest = {
        method: req.method,
        url: req.url,
        lastEventId: req.headers['last-event-id'] as string | undefined,
        socket: req.socket,
        status: null,
      };
      streams.push(r);
      res.on('finish', () => (r.status = res.statusCode));
    };
    w.h.app.server.on('request', watch);
    const { page, problems } = await w.newPage();
    try {
      await page.goto(`/w/${ws}/inbox`);
      await signIn(page, owner.email);
      const nora = await live.simClient.createCustomer({ name: 'Nora Pruned' });
      await live.simClient.customerSends(nora.id, DEMO.phoneNumberId, {
        type: 'text',
        text: 'Before the gap',
      });
      const item = page
        .getByRole('list', { name: 'Conversations' })
        .getByRole('link', { name: /Nora Pruned/ });
      await item.waitFor();
      await item.click();
      const fromCustomer = page.getByRole('article', { name: 'From the customer' });
      await fromCustomer.getByText('Before the gap').waitFor();
      const open = await eventually(async () => streams.at(-1), 'the stream');

      // The page loses the stream and cannot get it back for a while (its requests fail, as on a
      // train in a tunnel; the page itself does not learn it is offline, so nothing else refetches).
      let away = true;
      await page.route('**/api/v1/events*', (route) =>
        away && route.request().method() === 'GET' ? route.abort() : route.continue(),
      );
      open.socket.destroy();
      await live.simClient.customerSends(nora.id, DEMO.phoneNumberId, { type: 'text', text: 'While pruned' });
      const conversations = await owner.get('/api/v1/conversations');
      const conversationId = conversations.body.items.find(
        (c: { contact: { name: string } }) => c.contact.name === 'Nora Pruned',
      ).id;
      await eventually(async () => {
        const res = await owner.get(`/api/v1/conversations/${conversationId}/messages`);
        return res.body.items.some((m: { content: { text?: string } }) => m.content.text === 'While pruned');
      }, 'the message to be stored');
      // Meanwhile the retention window passes over every event of the workspace.
      const latest = await w.h.ctx.db.run({ workspaceId: ws }, (tx) =>
        realtimeRepository(tx, ws).latestSeq(),
      );
      await w.h.ctx.db.asOwner((tx) =>
        tx.execute(
          sql`update realtime_events set created_at = now() - interval '48 hours' where workspace_id = ${ws}`,
        ),
      );
      assert.ok((await pruneRealtimeEvents(w.h.ctx)) >= latest);
      const [left] = await w.h.ctx.db.asOwner((tx) =>
        queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from realtime_events where workspace_id = ${ws}`,
        ),
      );
      assert.equal(left?.n, 0);
      const before = streams.length;
      away = false;

      // Back: the stream resumes from a pruned position, is told to resync, and the page refetches.
      await fromCustomer.getByText('While pruned').waitFor({ timeout: 30_000 });
      const resumed = streams[before];
      assert.ok(resumed, 'a stream reached the server again');
      const position = resumed.lastEventId ?? new URL(resumed.url, 'http://x').searchParams.get('after');
      assert.ok(
        position !== null && Number(position) < latest,
        `resumed from ${position}, pruned up to ${latest}`,
      );
      assert.deepEqual(problems, []);
    } finally {
      w.h.app.server.off('request', watch);
      await page.unrouteAll({ behavior: 'ignoreErrors' });
    }
  },
);
