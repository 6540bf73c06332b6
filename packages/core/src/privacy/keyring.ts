import { createHmac, hkdfSync } from 'node:crypto';
import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import {
  type DataKey,
  type MasterKey,
  ciphertextDataKeyId,
  decryptWithDataKey,
  encryptWithDataKey,
  generateDataKeyBytes,
  unwrapDataKey,
  wrapDataKey,
  wrappedKeyMasterId,
} from './envelope-encryption.ts';

export interface StoredDataKey {
  id: string;
  workspaceId: string | null;
  wrapped: Buffer;
  createdAt: Date;
  retiredAt: Date | null;
}

/** Persistence of wrapped data keys; implemented by the db package. `null` = the platform. */
export interface DataKeyStore {
  listKeys(workspaceId: string | null): Promise<StoredDataKey[]>;
  insertKey(key: StoredDataKey): Promise<void>;
  replaceWrapped(keyId: string, wrapped: Buffer): Promise<void>;
  retireKey(keyId: string, at: Date): Promise<void>;
}

/** Field encryption bound to one workspace (see Keyring.fieldCipher). */
export interface FieldCipher {
  encrypt(plaintext: string | Buffer, context: string): Promise<Buffer>;
  decrypt(ciphertext: Buffer, context: string): Promise<Buffer>;
  decryptString(ciphertext: Buffer, context: string): Promise<string>;
  /** A keyed hash of `value` for equality lookups over encrypted data (never reversible). */
  blindIndex(value: string, context: string): Promise<string>;
}

const MAX_CACHED_KEYS = 10_000;
/**
 * How long a process keeps using the active data key it looked up without asking the store again.
 * A rotation in this process takes effect at once; one made by another process within this time.
 */
const ACTIVE_KEY_TTL_MS = 10_000;
/**
 * A key this process created may sit in a transaction that still rolls back; it is remembered as
 * active only once it is older than any transaction here runs (keys from other processes are
 * committed when listKeys sees them).
 */
const CREATED_KEY_SETTLE_MS = 60_000;

function scope(workspaceId: string | null): string {
  return workspaceId ?? 'platform';
}

/** Binds a field's ciphertext to its workspace and column/purpose. */
function fieldAad(workspaceId: string | null, context: string): string {
  return `ws:${scope(workspaceId)}|ctx:${context}`;
}

/** Binds a wrapped data key to its workspace and id. */
function wrapAad(workspaceId: string | null, keyId: string): string {
  return `ws:${scope(workspaceId)}|dk:${keyId}`;
}

/** Newest non-retired key (ids are UUIDv7, so they break createdAt ties in creation order). */
function activeKey(keys: StoredDataKey[]): StoredDataKey | undefined {
  let best: StoredDataKey | undefined;
  for (const k of keys) {
    if (k.retiredAt !== null) continue;
    const newer =
      !best ||
      k.createdAt.getTime() > best.createdAt.getTime() ||
      (k.createdAt.getTime() === best.createdAt.getTime() && k.id > best.id);
    if (newer) best = k;
  }
  return best;
}

interface CachedKey {
  workspaceId: string | null;
  key: Buffer;
}

/**
 * Envelope encryption for the application: each workspace (and the platform, `null`) has data
 * keys stored wrapped under a master key. The first master is current; the others can still
 * unwrap, which is how a master key is rotated (add the new one first, `rewrapAll`, drop the old).
 */
export class Keyring {
  private readonly current: MasterKey;
  private readonly masters: MasterKey[];
  // Unwrapped data keys by id. Insertion-ordered, so the oldest entry is evicted first.
  private readonly cache = new Map<string, CachedKey>();
  // The active key's id per scope (workspace id or 'platform'), and the blind-index keys.
  private readonly activeIds = new Map<string, { keyId: string; until: number }>();
  private readonly indexKeys = new Map<string, Buffer>();
  private readonly createdHere = new Map<string, number>();

  constructor(masters: MasterKey[] /* first = current, others = previous, still able to unwrap */) {
    const first = masters[0];
    if (!first) throw new DomainError('invalid_master_key', 'At least one master key is required.');
    this.current = first;
    this.masters = [...masters];
  }

  currentMasterId(): string {
    return this.current.id;
  }

  /** Encrypts with the workspace's active data key, creating one on first use. */
  async encrypt(
    store: DataKeyStore,
    workspaceId: string | null,
    plaintext: string | Buffer,
    context: string,
  ): Promise<Buffer> {
    const dataKey = await this.activeDataKey(store, workspaceId);
    return encryptWithDataKey(dataKey, plaintext, fieldAad(workspaceId, context));
  }

  async decrypt(
    store: DataKeyStore,
    workspaceId: string | null,
    ciphertext: Buffer,
    context: string,
  ): Promise<Buffer> {
    const keyId = ciphertextDataKeyId(ciphertext);
    const dataKey = await this.dataKeyById(store, workspaceId, keyId);
    return decryptWithDataKey(dataKey, ciphertext, fieldAad(workspaceId, context));
  }

  async decryptString(
    store: DataKeyStore,
    workspaceId: string | null,
    ciphertext: Buffer,
    context: string,
  ): Promise<string> {
    return (await this.decrypt(store, workspaceId, ciphertext, context)).toString('utf8');
  }

  async ensureDataKey(store: DataKeyStore, workspaceId: string | null): Promise<void> {
    await this.activeDataKey(store, workspaceId);
  }

  /**
   * A per-transaction view of one workspace's keys for field encryption: the active key and the
   * blind-index key are looked up once, not per field.
   */
  fieldCipher(store: DataKeyStore, workspaceId: string | null): FieldCipher {
    let active: Promise<DataKey> | null = null;
    let indexKey: Promise<Buffer> | null = null;
    const aad = (context: string) => fieldAad(workspaceId, context);
    return {
      encrypt: async (plaintext, context) => {
        active ??= this.activeDataKey(store, workspaceId);
        return encryptWithDataKey(await active, plaintext, aad(context));
      },
      decrypt: async (ciphertext, context) => {
        const dataKey = await this.dataKeyById(store, workspaceId, ciphertextDataKeyId(ciphertext));
        return decryptWithDataKey(dataKey, ciphertext, aad(context));
      },
      decryptString: async (ciphertext, context) => {
        const dataKey = await this.dataKeyById(store, workspaceId, ciphertextDataKeyId(ciphertext));
        return decryptWithDataKey(dataKey, ciphertext, aad(context)).toString('utf8');
      },
      blindIndex: async (value, context) => {
        indexKey ??= this.blindIndexKey(store, workspaceId);
        return createHmac('sha256', await indexKey)
          .update(`${context}\u0000${value}`)
          .digest('base64url')
          .slice(0, 22);
      },
    };
  }

  /**
   * The key of a workspace's blind indexes (keyed hashes that let us look up encrypted values by
   * equality): derived from its oldest data key, which rotation retires but never deletes, so
   * indexes stay valid across rotations and die with the workspace's keys (crypto-shredding).
   */
  private async blindIndexKey(store: DataKeyStore, workspaceId: string | null): Promise<Buffer> {
    const known = this.indexKeys.get(scope(workspaceId));
    if (known) return known;
    const { key, fromKeyId } = await this.deriveBlindIndexKey(store, workspaceId);
    if (this.settled(fromKeyId)) this.indexKeys.set(scope(workspaceId), key);
    return key;
  }

  /** False for a key this process created so recently that its transaction may still roll back. */
  private settled(keyId: string): boolean {
    const createdAt = this.createdHere.get(keyId);
    return createdAt === undefined || Date.now() - createdAt > CREATED_KEY_SETTLE_MS;
  }

  private async deriveBlindIndexKey(
    store: DataKeyStore,
    workspaceId: string | null,
  ): Promise<{ key: Buffer; fromKeyId: string }> {
    let keys = await store.listKeys(workspaceId);
    if (keys.length === 0) {
      await this.activeDataKey(store, workspaceId);
      keys = await store.listKeys(workspaceId);
    }
    const oldest = [...keys].sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
    )[0];
    if (!oldest) throw new DomainError('data_key_not_found', 'The workspace has no data key.');
    const dataKey = this.unwrapStored(oldest, workspaceId);
    const key = Buffer.from(
      hkdfSync('sha256', dataKey.key, Buffer.from(scope(workspaceId)), 'parley/blind-index/v1', 32),
    );
    return { key, fromKeyId: oldest.id };
  }

  /** Creates a new active data key and retires the previous ones; old ciphertext still decrypts. */
  async rotateDataKey(store: DataKeyStore, workspaceId: string | null): Promise<string> {
    const previous = (await store.listKeys(workspaceId)).filter((k) => k.retiredAt === null);
    this.activeIds.delete(scope(workspaceId));
    const created = await this.createDataKey(store, workspaceId);
    const now = new Date();
    for (const k of previous) await store.retireKey(k.id, now);
    return created.id;
  }

  /** Re-wraps every data key of the workspace not already under the current master. */
  async rewrapAll(store: DataKeyStore, workspaceId: string | null): Promise<number> {
    const current = this.current;
    let count = 0;
    for (const stored of await store.listKeys(workspaceId)) {
      if (wrappedKeyMasterId(stored.wrapped) === current.id) continue;
      const aad = wrapAad(workspaceId, stored.id);
      const key = unwrapDataKey(this.masters, stored.wrapped, aad);
      await store.replaceWrapped(stored.id, wrapDataKey(current, key, aad));
      count += 1;
    }
    return count;
  }

  /**
   * Says that every transaction of this process that may have created a key has committed (at
   * startup, once setting up is done and before serving): the keys it created are then trusted
   * at once, instead of being looked up again until CREATED_KEY_SETTLE_MS has passed.
   */
  settleCreatedKeys(): void {
    this.createdHere.clear();
  }

  /** Drops unwrapped keys from memory (e.g. after a workspace's keys were destroyed). */
  forgetCachedKeys(keyIds?: string[]): void {
    if (keyIds === undefined) this.cache.clear();
    else for (const id of keyIds) this.cache.delete(id);
    // Which key is active, and the index keys, are looked up again from the store.
    this.activeIds.clear();
    this.indexKeys.clear();
  }

  private async activeDataKey(store: DataKeyStore, workspaceId: string | null): Promise<DataKey> {
    const known = this.activeIds.get(scope(workspaceId));
    const cached = known && known.until > Date.now() ? this.cache.get(known.keyId) : undefined;
    if (known && cached && cached.workspaceId === workspaceId) return { id: known.keyId, key: cached.key };
    const active = activeKey(await store.listKeys(workspaceId));
    if (!active) return this.createDataKey(store, workspaceId);
    if (this.settled(active.id)) {
      this.activeIds.set(scope(workspaceId), { keyId: active.id, until: Date.now() + ACTIVE_KEY_TTL_MS });
    }
    return this.unwrapStored(active, workspaceId);
  }

  private async createDataKey(store: DataKeyStore, workspaceId: string | null): Promise<DataKey> {
    const id = newId();
    const key = generateDataKeyBytes();
    const wrapped = wrapDataKey(this.current, key, wrapAad(workspaceId, id));
    await store.insertKey({ id, workspaceId, wrapped, createdAt: new Date(), retiredAt: null });
    this.remember(id, workspaceId, key);
    if (this.createdHere.size >= MAX_CACHED_KEYS) this.createdHere.clear();
    this.createdHere.set(id, Date.now());
    return { id, key };
  }

  private async dataKeyById(
    store: DataKeyStore,
    workspaceId: string | null,
    keyId: string,
  ): Promise<DataKey> {
    const cached = this.cache.get(keyId);
    if (cached && cached.workspaceId === workspaceId) return { id: keyId, key: cached.key };
    const stored = (await store.listKeys(workspaceId)).find((k) => k.id === keyId);
    if (!stored) {
      throw new DomainError('data_key_not_found', 'The key this data was encrypted with no longer exists.', {
        keyId,
      });
    }
    return this.unwrapStored(stored, workspaceId);
  }

  private unwrapStored(stored: StoredDataKey, workspaceId: string | null): DataKey {
    const cached = this.cache.get(stored.id);
    if (cached && cached.workspaceId === workspaceId) return { id: stored.id, key: cached.key };
    const key = unwrapDataKey(this.masters, stored.wrapped, wrapAad(workspaceId, stored.id));
    this.remember(stored.id, workspaceId, key);
    return { id: stored.id, key };
  }

  private remember(keyId: string, workspaceId: string | null, key: Buffer): void {
    if (this.cache.size >= MAX_CACHED_KEYS && !this.cache.has(keyId)) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(keyId, { workspaceId, key });
  }
}
