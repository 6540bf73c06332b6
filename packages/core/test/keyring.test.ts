// describe/it return promises that node:test itself awaits; nothing here floats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { generateMasterKey, wrappedKeyMasterId } from '../src/privacy/envelope-encryption.ts';
import { type DataKeyStore, type StoredDataKey, Keyring } from '../src/privacy/keyring.ts';
import { DomainError } from '../src/shared/domain-error.ts';
import { newId } from '../src/shared/ids.ts';

function isCode(code: string) {
  return (e: unknown) => e instanceof DomainError && e.code === code;
}

/** Test double of the DataKeyStore port (the db package implements the real one). */
class InMemoryDataKeyStore implements DataKeyStore {
  readonly keys: StoredDataKey[] = [];

  async listKeys(workspaceId: string | null): Promise<StoredDataKey[]> {
    return this.keys.filter((k) => k.workspaceId === workspaceId).map((k) => ({ ...k }));
  }
  async insertKey(key: StoredDataKey): Promise<void> {
    this.keys.push({ ...key });
  }
  async replaceWrapped(keyId: string, wrapped: Buffer): Promise<void> {
    const key = this.keys.find((k) => k.id === keyId);
    if (!key) throw new Error(`no key ${keyId}`);
    key.wrapped = wrapped;
  }
  async retireKey(keyId: string, at: Date): Promise<void> {
    const key = this.keys.find((k) => k.id === keyId);
    if (!key) throw new Error(`no key ${keyId}`);
    key.retiredAt = at;
  }
}

const WS_A = newId();
const WS_B = newId();

describe('Keyring', () => {
  it('creates a data key on first use and round-trips', async () => {
    const store = new InMemoryDataKeyStore();
    const keyring = new Keyring([generateMasterKey()]);
    const ct = await keyring.encrypt(store, WS_A, 'hello', 'message.body');
    assert.equal(store.keys.length, 1);
    assert.equal(await keyring.decryptString(store, WS_A, ct, 'message.body'), 'hello');
    await keyring.encrypt(store, WS_A, 'again', 'message.body');
    assert.equal(store.keys.length, 1, 'reuses the active key');
  });

  it('keeps the platform (null) and each workspace on separate keys', async () => {
    const store = new InMemoryDataKeyStore();
    const keyring = new Keyring([generateMasterKey()]);
    await keyring.ensureDataKey(store, null);
    await keyring.ensureDataKey(store, WS_A);
    await keyring.ensureDataKey(store, WS_A);
    assert.deepEqual(
      store.keys.map((k) => k.workspaceId),
      [null, WS_A],
    );
    const ct = await keyring.encrypt(store, null, Buffer.from([1, 2, 3]), 'operator.totp');
    assert.deepEqual(await keyring.decrypt(store, null, ct, 'operator.totp'), Buffer.from([1, 2, 3]));
  });

  it('refuses ciphertext moved to another workspace or another column', async () => {
    const store = new InMemoryDataKeyStore();
    const keyring = new Keyring([generateMasterKey()]);
    const ct = await keyring.encrypt(store, WS_A, 'secret', 'contact.phone');
    await keyring.ensureDataKey(store, WS_B);
    await assert.rejects(keyring.decrypt(store, WS_B, ct, 'contact.phone'), isCode('data_key_not_found'));
    await assert.rejects(keyring.decrypt(store, WS_A, ct, 'contact.name'), isCode('decryption_failed'));
  });

  it('refuses a wrapped key moved to another workspace, even with the same key id', async () => {
    const store = new InMemoryDataKeyStore();
    const master = generateMasterKey();
    const ct = await new Keyring([master]).encrypt(store, WS_A, 'secret', 'ctx');
    const [stored] = store.keys;
    assert.ok(stored);
    stored.workspaceId = WS_B; // an attacker with database access relabels the key row
    await assert.rejects(new Keyring([master]).decrypt(store, WS_B, ct, 'ctx'), isCode('decryption_failed'));
  });

  it('fails with data_key_not_found when the store lacks the key (crypto-shredded)', async () => {
    const store = new InMemoryDataKeyStore();
    const master = generateMasterKey();
    const ct = await new Keyring([master]).encrypt(store, WS_A, 'secret', 'ctx');
    store.keys.length = 0;
    await assert.rejects(new Keyring([master]).decrypt(store, WS_A, ct, 'ctx'), isCode('data_key_not_found'));
  });

  it('rotating the data key retires the old one and keeps old ciphertext readable', async () => {
    const store = new InMemoryDataKeyStore();
    const master = generateMasterKey();
    const keyring = new Keyring([master]);
    const before = await keyring.encrypt(store, WS_A, 'old', 'ctx');
    const oldKeyId = store.keys[0]?.id;
    const newKeyId = await keyring.rotateDataKey(store, WS_A);
    assert.notEqual(newKeyId, oldKeyId);
    assert.ok(store.keys.find((k) => k.id === oldKeyId)?.retiredAt instanceof Date);
    assert.equal(store.keys.find((k) => k.id === newKeyId)?.retiredAt, null);

    const after = await keyring.encrypt(store, WS_A, 'new', 'ctx');
    const fresh = new Keyring([master]); // nothing served from the first keyring's cache
    assert.equal(await fresh.decryptString(store, WS_A, before, 'ctx'), 'old');
    assert.equal(await fresh.decryptString(store, WS_A, after, 'ctx'), 'new');
    assert.notDeepEqual(after.subarray(1, 17), before.subarray(1, 17), 'new ciphertext uses the new key');
  });

  it('rotates the master key: rewrapAll moves keys to the new master, the old one can then go', async () => {
    const store = new InMemoryDataKeyStore();
    const oldMaster = generateMasterKey();
    const newMaster = generateMasterKey();

    const oldKeyring = new Keyring([oldMaster]);
    const first = await oldKeyring.encrypt(store, WS_A, 'first', 'ctx');
    await oldKeyring.rotateDataKey(store, WS_A);
    const second = await oldKeyring.encrypt(store, WS_A, 'second', 'ctx');

    const transitional = new Keyring([newMaster, oldMaster]);
    assert.equal(transitional.currentMasterId(), newMaster.id);
    assert.equal(await transitional.rewrapAll(store, WS_A), 2);
    assert.equal(await transitional.rewrapAll(store, WS_A), 0, 'idempotent');
    assert.ok(store.keys.every((k) => wrappedKeyMasterId(k.wrapped) === newMaster.id));

    const newOnly = new Keyring([newMaster]);
    assert.equal(await newOnly.decryptString(store, WS_A, first, 'ctx'), 'first');
    assert.equal(await newOnly.decryptString(store, WS_A, second, 'ctx'), 'second');

    const oldOnly = new Keyring([oldMaster]);
    await assert.rejects(oldOnly.decrypt(store, WS_A, first, 'ctx'), isCode('master_key_unavailable'));
  });

  it('without rewrap, a keyring lacking the old master cannot unwrap', async () => {
    const store = new InMemoryDataKeyStore();
    const oldMaster = generateMasterKey();
    const ct = await new Keyring([oldMaster]).encrypt(store, WS_A, 'x', 'ctx');
    await assert.rejects(
      new Keyring([generateMasterKey()]).decrypt(store, WS_A, ct, 'ctx'),
      isCode('master_key_unavailable'),
    );
  });

  it('requires at least one master key', () => {
    assert.throws(() => new Keyring([]), isCode('invalid_master_key'));
  });
  it('remembers a committed active key for a while, but never one it created itself just now', async () => {
    const store = new InMemoryDataKeyStore();
    let lists = 0;
    const counting: DataKeyStore = {
      listKeys: async (ws) => ((lists += 1), store.listKeys(ws)),
      insertKey: (k) => store.insertKey(k),
      replaceWrapped: (id, w) => store.replaceWrapped(id, w),
      retireKey: (id, at) => store.retireKey(id, at),
    };
    const master = generateMasterKey();
    // Created here: its transaction could still roll back, so every use asks the store again.
    const creator = new Keyring([master]);
    await creator.encrypt(counting, WS_A, 'a', 'ctx');
    lists = 0;
    await creator.encrypt(counting, WS_A, 'b', 'ctx');
    await creator.encrypt(counting, WS_A, 'c', 'ctx');
    assert.equal(lists, 2, 'a key created moments ago is looked up every time');
    // Once the process says its setup has committed, the key it created is remembered too.
    creator.settleCreatedKeys();
    await creator.encrypt(counting, WS_A, 'b2', 'ctx');
    lists = 0;
    await creator.encrypt(counting, WS_A, 'c2', 'ctx');
    assert.equal(lists, 0, 'a settled key is not looked up again');
    // Another process (a second keyring) sees the committed key: looked up once, then remembered.
    const other = new Keyring([master]);
    lists = 0;
    for (const text of ['d', 'e', 'f']) await other.encrypt(counting, WS_A, text, 'ctx');
    assert.equal(lists, 1);
    // A rotation in this process takes effect at once.
    const rotated = await other.rotateDataKey(counting, WS_A);
    const ct = await other.encrypt(counting, WS_A, 'g', 'ctx');
    assert.equal(ct.subarray(1, 17).toString('hex'), rotated.replaceAll('-', ''));
  });
});
