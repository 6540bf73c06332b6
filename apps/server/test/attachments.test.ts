/**
 * Attachments end to end, over real HTTP and through the simulator: an agent uploads a file to a
 * conversation (multipart), it is stored encrypted, sent to WhatsApp by uploading it to Meta and
 * sending `{image: {id}}`, and the simulated customer receives the same bytes. Files Meta would
 * refuse — too large, of a forbidden type, or lying about their type — are refused with stable codes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO } from '@parley/simulator';
import { placeholderPng } from '@parley/simulator/media-store';
import { mediaRepository } from '@parley/db';
import { newId } from '@parley/core';
import { conversationStoresFor } from '../src/app-context.ts';
import { MEDIA_BYTES_CONTEXT } from '../src/workers/job-runner.ts';
import { signUpOwner } from './helpers/factories.ts';
import type { HttpClient } from './helpers/http-client.ts';
import { connectDemoChannels, createLiveApp, eventually, type LiveHarness } from './helpers/live-app.ts';

/** Smaller than Meta's 5 MB for images, so the install's own limit is the one that applies. */
const MEDIA_MAX_BYTES = 2_000_000;

let h: LiveHarness;
let owner: HttpClient & { email: string };
let channels: Record<'whatsapp' | 'messenger' | 'instagram', string>;
let waConversation: string;
let customerId: string;

before(async () => {
  h = await createLiveApp({ env: { MEDIA_MAX_BYTES: String(MEDIA_MAX_BYTES) } });
  owner = await signUpOwner(h.app);
  channels = await connectDemoChannels(owner);
  const customer = await h.simClient.createCustomer({ name: 'Paula Pictures' });
  customerId = customer.id;
  await h.simClient.customerSends(customer.id, DEMO.phoneNumberId, { type: 'text', text: 'Send me a photo' });
  waConversation = await conversationOn(channels.whatsapp);
});
after(async () => h.close());

async function conversationOn(channelId: string): Promise<string> {
  return eventually(async () => {
    const res = await owner.get(`/api/v1/conversations?channelId=${channelId}`);
    return res.body.items?.[0]?.id as string | undefined;
  }, `a conversation on ${channelId}`);
}

/** A real multipart request to the running server, as the browser sends it. */
async function postForm(conversationId: string, form: FormData, client: HttpClient = owner) {
  const res = await fetch(`${h.url}/api/v1/conversations/${conversationId}/attachments`, {
    method: 'POST',
    headers: {
      cookie: `parley_session=${client.cookie}`,
      'x-csrf-token': client.csrf ?? '',
      'x-workspace-id': client.workspaceId ?? '',
    },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as any };
}

function upload(conversationId: string, bytes: Buffer, type: string, filename: string, client = owner) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), filename);
  return postForm(conversationId, form, client);
}

const sendMessage = (conversationId: string, content: unknown) =>
  owner.post(`/api/v1/conversations/${conversationId}/messages`, { content });

test('an uploaded PNG is stored encrypted, sent through Meta’s media upload, and the customer gets the same bytes', async () => {
  const png = placeholderPng(64, [200, 40, 40]);
  const up = await upload(waConversation, png, 'image/png', 'cake.png');
  assert.equal(up.status, 201, JSON.stringify(up.body));
  assert.equal(up.body.mediaType, 'image');
  assert.equal(up.body.mimeType, 'image/png');
  assert.equal(up.body.sizeBytes, png.length);
  assert.equal(up.body.filename, 'cake.png');
  assert.equal(up.body.conversationId, waConversation);

  // At rest: neither the bytes nor the description are readable.
  const sealed = await h.ctx.storage.get(`${owner.workspaceId}/${up.body.id}`);
  assert.ok(!sealed.includes(png.subarray(0, 16)), 'the PNG header is stored in the clear');
  assert.ok(!sealed.includes(png.subarray(png.length - 32)), 'PNG bytes are stored in the clear');
  const meta = await h.ctx.storage.get(`${owner.workspaceId}/${up.body.id}.meta`);
  assert.ok(!meta.toString('latin1').includes('cake.png'), 'the file name is stored in the clear');

  const sent = await sendMessage(waConversation, {
    type: 'image',
    media: { id: up.body.id, caption: 'Fresh from the oven' },
  });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  assert.equal(sent.body.media.id, up.body.id);
  assert.equal(sent.body.media.status, 'stored');
  assert.equal(sent.body.content.media.caption, 'Fresh from the oven');

  const delivered = await eventually(async () => {
    const res = await owner.get(`/api/v1/messages/${sent.body.id}`);
    return ['sent', 'delivered', 'read'].includes(res.body.status) ? res.body : null;
  }, 'the image to be sent');
  assert.ok(delivered.content.media.providerMediaId, 'Meta’s media id is kept for retries');

  // The simulated customer received an image whose bytes are ours.
  const received = await eventually(async () => {
    const thread = await h.simClient.thread(customerId, DEMO.phoneNumberId);
    return thread.messages.find((m) => m.direction === 'out' && m.view.kind === 'media');
  }, 'the customer to receive the image');
  assert.equal(received.view.media?.type, 'image');
  assert.equal(received.view.caption, 'Fresh from the oven');
  const simMediaId = received.view.media?.url?.replace(/^media:/, '') ?? '';
  assert.equal(simMediaId, delivered.content.media.providerMediaId);
  const onPhone = Buffer.from(await (await fetch(`${h.sim.url}/phone/media/${simMediaId}`)).arrayBuffer());
  assert.ok(onPhone.equals(png), 'the customer’s bytes differ from the upload');

  // The agent sees what they sent, served by the media route.
  const served = await owner.get(sent.body.media.url);
  assert.equal(served.status, 200);
  assert.equal(served.headers['content-type'], 'image/png');
  assert.ok(Buffer.from(served.raw.rawPayload).equals(png));
  const timeline = await owner.get(`/api/v1/conversations/${waConversation}/messages`);
  const bubble = timeline.body.items.find((m: { id: string }) => m.id === sent.body.id);
  assert.equal(bubble.media.id, up.body.id);

  // One upload, one message.
  const again = await sendMessage(waConversation, { type: 'image', media: { id: up.body.id } });
  assert.equal(again.status, 409, JSON.stringify(again.body));
  assert.equal(again.body.error.code, 'media_already_sent');
});

test('a PDF is sent as a document with its file name', async () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  const up = await upload(waConversation, pdf, 'application/pdf', 'C:\\menus\\menu.pdf');
  assert.equal(up.status, 201, JSON.stringify(up.body));
  assert.equal(up.body.mediaType, 'document');
  assert.equal(up.body.filename, 'menu.pdf');
  const sent = await sendMessage(waConversation, { type: 'document', media: { id: up.body.id } });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  assert.equal(sent.body.content.media.filename, 'menu.pdf');
  const received = await eventually(async () => {
    const thread = await h.simClient.thread(customerId, DEMO.phoneNumberId);
    return thread.messages.find((m) => m.direction === 'out' && m.view.media?.type === 'document');
  }, 'the customer to receive the document');
  assert.equal(received.view.media?.filename, 'menu.pdf');
  // Documents are never shown inline from our origin.
  const served = await owner.get(sent.body.media.url);
  assert.equal(served.headers['content-type'], 'application/octet-stream');
  assert.match(String(served.headers['content-disposition']), /^attachment;/);
});

test('too large, forbidden or disguised files are refused with stable codes', async () => {
  const png = placeholderPng(8);
  // Over MEDIA_MAX_BYTES: a PNG header followed by padding.
  const big = Buffer.concat([png, Buffer.alloc(MEDIA_MAX_BYTES + 10, 1)]);
  const tooBig = await upload(waConversation, big, 'image/png', 'huge.png');
  assert.equal(tooBig.status, 413, JSON.stringify(tooBig.body));
  assert.equal(tooBig.body.error.code, 'media_too_large');
  assert.equal(tooBig.body.error.details.maxBytes, MEDIA_MAX_BYTES);

  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  for (const [bytes, type, name] of [
    [svg, 'image/svg+xml', 'logo.svg'],
    [Buffer.from('<!doctype html><script>alert(1)</script>'), 'text/html', 'page.html'],
    [Buffer.from('<?xml version="1.0"?><a/>'), 'application/xml', 'data.xml'],
    [Buffer.from('MZ\x90\x00'), 'application/x-msdownload', 'setup.exe'],
    [Buffer.from('GIF89a\x01\x00'), 'image/gif', 'anim.gif'],
  ] as const) {
    const res = await upload(waConversation, bytes, type, name);
    assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'media_type_not_allowed', name);
  }
  // An SVG or HTML page that claims to be a PNG or a text file.
  for (const [bytes, type] of [
    [svg, 'image/png'],
    [svg, 'application/octet-stream'],
    [svg, 'text/plain'],
    [Buffer.from('not really a pdf'), 'application/pdf'],
  ] as const) {
    const res = await upload(waConversation, bytes, type, 'x');
    assert.equal(res.status, 400, `${type}: ${JSON.stringify(res.body)}`);
    assert.ok(
      ['media_content_mismatch', 'media_type_not_allowed'].includes(res.body.error.code),
      `${type}: ${res.body.error.code}`,
    );
  }
  const empty = await upload(waConversation, Buffer.alloc(0), 'image/png', 'empty.png');
  assert.equal(empty.status, 400);
  assert.equal(empty.body.error.code, 'validation_failed');
});

test('bad requests: not multipart, no file part, wrong type on send, unknown or foreign ids', async () => {
  const json = await owner.post(`/api/v1/conversations/${waConversation}/attachments`, { file: 'x' });
  assert.equal(json.status, 415, JSON.stringify(json.body));
  assert.equal(json.body.error.code, 'unsupported_media_type');

  const form = new FormData();
  form.set('note', 'no file here');
  const noFile = await postForm(waConversation, form);
  assert.equal(noFile.status, 400);
  assert.equal(noFile.body.error.code, 'validation_failed');

  const up = await upload(waConversation, placeholderPng(16), 'image/png', 'p.png');
  assert.equal(up.status, 201);
  const asDoc = await sendMessage(waConversation, { type: 'document', media: { id: up.body.id } });
  assert.equal(asDoc.status, 400, JSON.stringify(asDoc.body));
  assert.equal(asDoc.body.error.code, 'media_type_mismatch');
  const unknown = await sendMessage(waConversation, { type: 'image', media: { id: newId() } });
  assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
  const notUuid = await sendMessage(waConversation, { type: 'image', media: { id: 'nope' } });
  assert.equal(notUuid.status, 400);
  const both = await sendMessage(waConversation, {
    type: 'image',
    media: { id: up.body.id, url: 'https://example.com/a.png' },
  });
  assert.equal(both.status, 400, 'id and url together');

  // An upload belongs to its conversation: another conversation cannot send it.
  const other = await h.simClient.createCustomer({ name: 'Other Customer' });
  await h.simClient.customerSends(other.id, DEMO.phoneNumberId, { type: 'text', text: 'hello there' });
  const otherConversation = await eventually(async () => {
    const res = await owner.get(`/api/v1/conversations?channelId=${channels.whatsapp}`);
    return (res.body.items as { id: string }[]).find((c) => c.id !== waConversation)?.id;
  }, 'the second conversation');
  const elsewhere = await sendMessage(otherConversation, { type: 'image', media: { id: up.body.id } });
  assert.equal(elsewhere.status, 404, JSON.stringify(elsewhere.body));

  // Another workspace's member cannot upload into this conversation, nor send this upload.
  const stranger = await signUpOwner(h.app);
  const foreign = await upload(waConversation, placeholderPng(16), 'image/png', 'p.png', stranger);
  assert.equal(foreign.status, 404, JSON.stringify(foreign.body));
});

test('Messenger and Instagram conversations refuse uploads explicitly (media by link only)', async () => {
  const customer = await h.simClient.createCustomer({ name: 'Mona Messenger' });
  await h.simClient.customerSends(customer.id, DEMO.pageId, { type: 'text', text: 'hi from messenger' });
  const conversation = await conversationOn(channels.messenger);
  const res = await upload(conversation, placeholderPng(16), 'image/png', 'p.png');
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'attachments_not_supported');
  assert.equal(res.body.error.details.channelKind, 'messenger');
});

test('stored SVG, HTML and XML media are served as downloads in a sandbox, never inline', async () => {
  const timeline = await owner.get(`/api/v1/conversations/${waConversation}/messages`);
  const inbound = timeline.body.items.find(
    (m: { direction: string; media: unknown }) => m.direction === 'inbound' && !m.media,
  );
  assert.ok(inbound, 'an inbound text message to hang the media on');
  const ws = owner.workspaceId ?? '';
  for (const [mimeType, body] of [
    ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
    ['text/html', '<script>alert(1)</script>'],
    ['application/xml', '<?xml version="1.0"?><x/>'],
  ] as const) {
    const id = newId();
    await h.ctx.db.run({ workspaceId: ws }, async (tx) => {
      const stores = conversationStoresFor(h.ctx, tx, ws);
      await h.ctx.storage.put(`${ws}/${id}`, await stores.cipher.encrypt(body, MEDIA_BYTES_CONTEXT));
      // A media row of its own (not joined to the timeline twice): the route reads it by id.
      await mediaRepository(tx).insertUploaded({
        id,
        messageId: inbound.id,
        mimeType,
        sizeBytes: body.length,
        sha256: '0'.repeat(64),
        storageKey: `${ws}/${id}`,
      });
    });
    const res = await owner.get(`/api/v1/media/${id}`);
    assert.equal(res.status, 200, mimeType);
    assert.equal(res.headers['content-type'], 'application/octet-stream', mimeType);
    assert.match(String(res.headers['content-disposition']), /^attachment;/, mimeType);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['content-security-policy']), /sandbox/);
    await h.ctx.db.run({ workspaceId: ws }, (tx) => mediaRepository(tx).markFailed(id, 'test fixture'));
  }
});
