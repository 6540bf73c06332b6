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
