// describe/it return promises that node:test itself awaits; nothing here floats.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import {
  type DataKey,
  ciphertextDataKeyId,
  decryptWithDataKey,
  encryptWithDataKey,
  generateDataKeyBytes,
  generateMasterKey,
  masterKeyFromBase64,
  masterKeyToBase64,
  unwrapDataKey,
  wrapDataKey,
  wrappedKeyMasterId,
} from '../src/privacy/envelope-encryption.ts';
import { DomainError } from '../src/shared/domain-error.ts';
import { newId } from '../src/shared/ids.ts';

function isCode(code: string) {
  return (e: unknown) => e instanceof DomainError && e.code === code;
}

function flipBit(blob: Buffer, index: number): Buffer {
  const copy = Buffer.from(blob);
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}

const AAD = 'ws:0190f3a4-0000-7000-8000-000000000001|ctx:message.body';
const OTHER_WS_AAD = 'ws:0190f3a4-0000-7000-8000-000000000002|ctx:message.body';

function newDataKey(): DataKey {
  return { id: newId(), key: generateDataKeyBytes() };
}

describe('master keys', () => {
  it('parse from base64 with an id derived from the key bytes', () => {
    const generated = generateMasterKey();
    const parsed = masterKeyFromBase64(masterKeyToBase64(generated));
    assert.deepEqual(parsed.key, generated.key);
    assert.equal(parsed.id, generated.id);
    assert.equal(parsed.id, createHash('sha256').update(generated.key).digest('hex').slice(0, 16));
  });

  it('refuse anything but 32 bytes, without echoing the key in the error', () => {
    const short = Buffer.alloc(31, 7).toString('base64');
    const long = Buffer.alloc(33, 7).toString('base64');
    for (const input of [short, long, '', 'not base64 at all!', 'secret-looking-value']) {
      assert.throws(
        () => masterKeyFromBase64(input),
        (e: unknown) => isCode('invalid_master_key')(e) && !(e as Error).message.includes(input || '\u0000'),
      );
    }
  });
});

describe('wrapping data keys', () => {
  it('round-trips and names the master key', () => {
    const master = generateMasterKey();
    const dataKey = generateDataKeyBytes();
    const wrapped = wrapDataKey(master, dataKey, 'ws:a|dk:b');
    assert.equal(wrappedKeyMasterId(wrapped), master.id);
    assert.deepEqual(unwrapDataKey([generateMasterKey(), master], wrapped, 'ws:a|dk:b'), dataKey);
  });

  it('fails with master_key_unavailable when no configured master matches', () => {
    const wrapped = wrapDataKey(generateMasterKey(), generateDataKeyBytes(), 'aad');
    assert.throws(
      () => unwrapDataKey([generateMasterKey()], wrapped, 'aad'),
      isCode('master_key_unavailable'),
    );
  });

  it('fails with decryption_failed on any tampering', () => {
    const master = generateMasterKey();
    const wrapped = wrapDataKey(master, generateDataKeyBytes(), 'ws:a|dk:b');
    assert.throws(() => unwrapDataKey([master], wrapped, 'ws:a|dk:c'), isCode('decryption_failed'));
    assert.throws(
      () => unwrapDataKey([master], wrapped.subarray(0, 30), 'ws:a|dk:b'),
      isCode('decryption_failed'),
    );
    assert.throws(
      () => unwrapDataKey([master], wrapped.subarray(0, wrapped.length - 1), 'ws:a|dk:b'),
      isCode('decryption_failed'),
    );
    // Every byte after the header (version 1 + master id 8): IV, tag, wrapped key.
    for (let i = 9; i < wrapped.length; i++) {
      assert.throws(
        () => unwrapDataKey([master], flipBit(wrapped, i), 'ws:a|dk:b'),
        isCode('decryption_failed'),
      );
    }
    assert.throws(
      () => unwrapDataKey([master], flipBit(wrapped, 0), 'ws:a|dk:b'),
      isCode('decryption_failed'),
    );
  });
});

describe('encrypting with a data key', () => {
  it('round-trips strings, bytes and empty input, and names the data key', () => {
    const dk = newDataKey();
    for (const plaintext of ['héllo 👋', Buffer.from([0, 1, 2, 255]), '']) {
      const blob = encryptWithDataKey(dk, plaintext, AAD);
      assert.equal(ciphertextDataKeyId(blob), dk.id);
      const expected = typeof plaintext === 'string' ? Buffer.from(plaintext) : plaintext;
      assert.deepEqual(decryptWithDataKey(dk, blob, AAD), expected);
    }
  });

  it('uses a fresh IV each time', () => {
    const dk = newDataKey();
    assert.notDeepEqual(encryptWithDataKey(dk, 'same', AAD), encryptWithDataKey(dk, 'same', AAD));
  });

  it('detects tampering in the header, IV, tag and ciphertext', () => {
    const dk = newDataKey();
    const blob = encryptWithDataKey(dk, 'a personal message', AAD);
    const sections = { version: 0, keyId: 5, iv: 17 + 3, tag: 29 + 7, ciphertext: 45 + 2 };
    for (const [name, index] of Object.entries(sections)) {
      assert.throws(
        () => decryptWithDataKey(dk, flipBit(blob, index), AAD),
        isCode('decryption_failed'),
        name,
      );
    }
    for (let i = 17; i < blob.length; i++) {
      assert.throws(() => decryptWithDataKey(dk, flipBit(blob, i), AAD), isCode('decryption_failed'));
    }
  });

  it('fails with decryption_failed for a wrong AAD, another workspace, a wrong key or a bad blob', () => {
    const dk = newDataKey();
    const blob = encryptWithDataKey(dk, 'secret', AAD);
    assert.throws(() => decryptWithDataKey(dk, blob, OTHER_WS_AAD), isCode('decryption_failed'));
    assert.throws(() => decryptWithDataKey(dk, blob, `${AAD}x`), isCode('decryption_failed'));
    assert.throws(() => decryptWithDataKey(newDataKey(), blob, AAD), isCode('decryption_failed'));
    // Same id, different key bytes: authentication fails rather than producing garbage.
    assert.throws(
      () => decryptWithDataKey({ id: dk.id, key: generateDataKeyBytes() }, blob, AAD),
      isCode('decryption_failed'),
    );
    for (const bad of [Buffer.alloc(0), blob.subarray(0, 20), blob.subarray(0, 44), Buffer.alloc(100)]) {
      assert.throws(() => decryptWithDataKey(dk, bad, AAD), isCode('decryption_failed'));
    }
    assert.throws(
      () => decryptWithDataKey(dk, blob.subarray(0, blob.length - 1), AAD),
      isCode('decryption_failed'),
    );
  });

  it('accepts a plain Uint8Array as returned by PGlite', () => {
    // The signature says Buffer; the casts below pass what PGlite really returns for bytea.
    const dk = newDataKey();
    const blob = encryptWithDataKey(dk, 'bytes', AAD);
    const plain = new Uint8Array(blob);
    assert.equal(ciphertextDataKeyId(plain as Buffer), dk.id);
    assert.equal(decryptWithDataKey(dk, plain as Buffer, AAD).toString(), 'bytes');
  });
});
