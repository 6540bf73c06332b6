import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

test('the customer phone page and its assets are served, with no external resources', async () => {
  const page = await fetch(`${h.sim.url}/phone`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const html = await page.text();
  for (const asset of ['/phone/assets/phone.css', '/phone/assets/phone.js']) {
    assert.ok(html.includes(asset));
    const r = await fetch(`${h.sim.url}${asset}`);
    assert.equal(r.status, 200);
    const body = await r.text();
    assert.doesNotMatch(body, /https?:\/\/(?!x\.y)[a-z]/i, `${asset} must not load external resources`);
  }
  assert.doesNotMatch(html, /https?:\/\//);
  const root = await fetch(`${h.sim.url}/`, { redirect: 'manual' });
  assert.equal(root.status, 302);
});

test('the phone shows business media without a token', async () => {
  const sent = await h.client.customerSends('ana', h.sim.demo.phoneNumberId, {
    type: 'image',
    text: 'photo',
  });
  const url = sent.view.media?.url ?? '';
  assert.match(url, /^media:\d+$/);
  const r = await fetch(`${h.sim.url}/phone/media/${url.slice(6)}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
});

/** Reads Server-Sent Events `data:` payloads from a fetch response body, one at a time. */
function sseReader(body: ReadableStream<Uint8Array>): () => Promise<any> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async () => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (data) return JSON.parse(data);
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

test('the phone gets thread changes as Server-Sent Events', async () => {
  const abort = new AbortController();
  const response = await fetch(`${h.sim.url}/_sim/customers/chen/threads/${h.sim.demo.pageId}/events`, {
    signal: abort.signal,
  });
  try {
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const next = sseReader(response.body!);
    const initial = await next();
    assert.equal(initial.customerId, 'chen');
    assert.equal(initial.messages.length, 0);
    await h.client.customerSends('chen', h.sim.demo.pageId, { type: 'text', text: 'live?' });
    let update = await next();
    while (!update.messages.some((m: any) => m.view.text === 'live?')) update = await next();
    assert.ok(update.version > initial.version);
  } finally {
    abort.abort();
  }
  const missing = await fetch(`${h.sim.url}/_sim/customers/nobody/threads/${h.sim.demo.pageId}/events`);
  assert.equal(missing.status, 404);
});
