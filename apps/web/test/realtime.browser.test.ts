/**
 * The inbox's event stream in Chromium's own EventSource: the workspace in the URL, a dropped
 * connection resumed by the browser with Last-Event-ID (nothing missed), and a stream whose session
 * has ended stops asking instead of reconnecting forever.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { DEMO } from '@parley/simulator';
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
    const owner = await signUpOwner(w.h.app, { workspaceName: 'Stream Bakery' });
    await connectDemoChannels(owner);
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
