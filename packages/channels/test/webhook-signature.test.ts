import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '@parley/simulator';
import { metaSignatureHeader, verifyMetaSignature } from '../src/index.ts';
import { messageWhere, startHarness, type Harness, type RawDelivery } from './helpers.ts';

let h: Harness;
let delivery: RawDelivery;

before(async () => {
  h = await startHarness();
  // Non-ASCII, an emoji and a slash: the simulator escapes them as Meta does (\u00e9, surrogate pairs, \/).
  const text = 'Olá, café? 😀 a/b';
  await h.client.customerSends('ana', DEMO.phoneNumberId, { type: 'text', text });
  await h.receiver.waitForEvent(messageWhere((m) => m.content.type === 'text' && m.content.text === text));
  const first = h.receiver.deliveries[0];
  assert.ok(first);
  delivery = first;
});
after(async () => {
  await h.close();
});

test('accepts the exact bytes the simulator signed', () => {
  assert.ok(delivery.signature?.startsWith('sha256='));
  assert.match(delivery.raw.toString('latin1'), /\\u00e1/, 'body carries Meta-style escapes');
  assert.equal(verifyMetaSignature(delivery.raw, delivery.signature, DEMO.appSecret), true);
});

test('rejects a flipped byte, a wrong secret, a missing header, a missing secret', () => {
  const flipped = Buffer.from(delivery.raw);
  flipped[10] = (flipped[10] ?? 0) ^ 0x01;
  assert.equal(verifyMetaSignature(flipped, delivery.signature, DEMO.appSecret), false);
  assert.equal(verifyMetaSignature(delivery.raw, delivery.signature, 'another-secret'), false);
  assert.equal(verifyMetaSignature(delivery.raw, undefined, DEMO.appSecret), false);
  assert.equal(verifyMetaSignature(delivery.raw, delivery.signature, undefined), false);
  assert.equal(verifyMetaSignature(delivery.raw, delivery.signature, ''), false);
});

test('rejects re-serialised JSON (the HMAC is over the escaped bytes, not the parsed value)', () => {
  const reserialised = Buffer.from(JSON.stringify(JSON.parse(delivery.raw.toString('utf8'))));
  assert.notDeepEqual(reserialised, delivery.raw);
  assert.equal(verifyMetaSignature(reserialised, delivery.signature, DEMO.appSecret), false);
});

test('rejects malformed headers', () => {
  const good = delivery.signature ?? '';
  const hex = good.slice('sha256='.length);
  for (const header of [
    '',
    'sha256=',
    hex,
    `sha1=${hex}`,
    `sha256=${hex.slice(2)}`,
    `sha256=${hex}00`,
    `sha256=${'z'.repeat(64)}`,
    `SHA256=${hex}`,
  ]) {
    assert.equal(verifyMetaSignature(delivery.raw, header, DEMO.appSecret), false, header);
  }
  // Upper-case hex and surrounding whitespace still name the same digest.
  assert.equal(verifyMetaSignature(delivery.raw, `sha256=${hex.toUpperCase()}`, DEMO.appSecret), true);
  assert.equal(verifyMetaSignature(delivery.raw, ` ${good} `, DEMO.appSecret), true);
});

test('metaSignatureHeader produces the header Meta would send', () => {
  assert.equal(metaSignatureHeader(delivery.raw, DEMO.appSecret), delivery.signature);
});

test('a repeated header (an array in Node) fails closed', () => {
  const good = delivery.signature ?? '';
  assert.equal(verifyMetaSignature(delivery.raw, [good, good], DEMO.appSecret), false);
});
