import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '../src/index.ts';
import { messagingOf, startHarness, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

/** The first attachment of the page/IG message with this mid, once its webhook arrived. */
async function attachmentOf(mid: string): Promise<{ type: string; payload: { url: string } }> {
  await h.receiver.waitFor((r) => messagingOf(r).some((e) => e.message?.mid === mid));
  const event = messagingOf(h.receiver.received).find((e) => e.message?.mid === mid);
  return event.message.attachments[0];
}

test('a Messenger customer photo has a CDN URL that serves the bytes without a token', async () => {
  const bytes = Buffer.from('\u0089PNG fake photo bytes for the test', 'latin1');
  const sent = await h.client.customerSends('ana', DEMO.pageId, {
    type: 'image',
    media: { dataBase64: bytes.toString('base64'), mimeType: 'image/jpeg', filename: 'cake.jpg' },
  });
  const attachment = await attachmentOf(sent.id);
  assert.equal(attachment.type, 'image');
  const url = new URL(attachment.payload.url);
  assert.equal(url.origin, h.sim.url);
  assert.match(url.pathname, /^\/_cdn\/\d+\/cake\.jpg$/);

  const download = await fetch(attachment.payload.url); // no Authorization header, like Meta's CDN
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('content-type'), 'image/jpeg');
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);

  // The link is signed: a tampered one is refused.
  const tampered = new URL(attachment.payload.url);
  tampered.searchParams.set('oh', '0'.repeat(32));
  assert.equal((await fetch(tampered)).status, 403);
  // It is not a WhatsApp media object on the Graph API.
  const id = url.pathname.split('/')[2] ?? '';
  assert.equal((await h.graph('GET', `/${id}`)).json.error.code, 100);
  // The phone shows it too.
  assert.equal(sent.view.media?.url, `media:${id}`);
  assert.equal((await fetch(`${h.sim.url}/phone/media/${id}`)).status, 200);
});

test('an Instagram photo without bytes gets a real placeholder PNG; CDN links expire on the account clock', async () => {
  const sent = await h.client.customerSends('ben', DEMO.instagramId, { type: 'image' });
  const attachment = await attachmentOf(sent.id);
  const first = await fetch(attachment.payload.url);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('content-type'), 'image/png');
  const png = Buffer.from(await first.arrayBuffer());
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  const ttl = (await h.client.timing()).attachmentUrlTtlMs;
  await h.client.advanceClock(ttl + 1000, DEMO.instagramId);
  const expired = await fetch(attachment.payload.url);
  assert.equal(expired.status, 403);
  assert.equal(await expired.text(), 'URL signature expired');
});

test('a Messenger file keeps its MIME type and arrives as type "file"', async () => {
  const pdf = Buffer.from('%PDF-1.4 simulated');
  const sent = await h.client.customerSends('chen', DEMO.pageId, {
    type: 'document',
    media: { dataBase64: pdf.toString('base64'), mimeType: 'application/pdf', filename: 'order.pdf' },
  });
  const attachment = await attachmentOf(sent.id);
  assert.equal(attachment.type, 'file');
  const download = await fetch(attachment.payload.url);
  assert.equal(download.headers.get('content-type'), 'application/pdf');
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), pdf);
});
