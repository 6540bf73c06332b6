import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

import { DomainError } from '../shared/domain-error.ts';
import { isUuid, uuidFromBytes, uuidToBytes } from '../shared/ids.ts';
import { pooledRandomBytes } from '../shared/random-pool.ts';

// AES-256-GCM envelope encryption: a master key wraps data keys; data keys encrypt fields.
//
// Wrapped data key:  [version 1][master key id 8][iv 12][tag 16][encrypted data key 32]
// Field ciphertext:  [version 1][data key id 16][iv 12][tag 16][ciphertext …]
//
// The header (version + key id) is authenticated together with the caller's AAD, so neither
// can be altered without decryption failing.

const FORMAT_VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MASTER_ID_BYTES = 8;
const DATA_KEY_ID_BYTES = 16;

export interface MasterKey {
  /** First 16 hex chars of sha256(key): derived, so it never needs configuring. */
  id: string;
  key: Buffer;
}

export interface DataKey {
  /** A UUID chosen by the caller. */
  id: string;
  key: Buffer;
}

function masterKeyId(key: Buffer): string {
  return createHash('sha256')
    .update(key)
    .digest('hex')
    .slice(0, MASTER_ID_BYTES * 2);
}

function masterKeyFromBytes(key: Buffer): MasterKey {
  return { id: masterKeyId(key), key };
}

const BASE64_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Parses a configured master key; it must decode to exactly 32 bytes. */
export function masterKeyFromBase64(b64: string): MasterKey {
  const trimmed = b64.trim();
  const decoded = BASE64_PATTERN.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (decoded.length !== KEY_BYTES) {
    throw new DomainError(
      'invalid_master_key',
      'The master key must be 32 random bytes encoded as base64 (for example the output of `openssl rand -base64 32`).',
    );
  }
  return masterKeyFromBytes(decoded);
}

export function generateMasterKey(): MasterKey {
  return masterKeyFromBytes(randomBytes(KEY_BYTES));
}

export function masterKeyToBase64(k: MasterKey): string {
  return k.key.toString('base64');
}

export function generateDataKeyBytes(): Buffer {
  return randomBytes(KEY_BYTES);
}

// PGlite returns bytea as a plain Uint8Array; accept it wherever a stored blob comes back in.
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decryptionFailed(): DomainError {
  return new DomainError('decryption_failed', 'The data could not be decrypted.');
}

function assertKeyLength(key: Buffer, code: string): void {
  if (key.length !== KEY_BYTES) throw new DomainError(code, 'Encryption keys must be 32 bytes.');
}

function seal(key: Buffer, header: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.concat([header, Buffer.from(aad, 'utf8')]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

function open(key: Buffer, stored: Buffer, headerLength: number, aad: string): Buffer {
  const blob = asBuffer(stored);
  if (blob.length < headerLength + IV_BYTES + TAG_BYTES) throw decryptionFailed();
  const header = blob.subarray(0, headerLength);
  const iv = blob.subarray(headerLength, headerLength + IV_BYTES);
  const tag = blob.subarray(headerLength + IV_BYTES, headerLength + IV_BYTES + TAG_BYTES);
  const ciphertext = blob.subarray(headerLength + IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.concat([header, Buffer.from(aad, 'utf8')]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // OpenSSL's message says nothing useful and must not leak out of the domain.
    throw decryptionFailed();
  }
}

// ── wrapping data keys under a master key ────────────────────────────────────

const WRAPPED_HEADER_BYTES = 1 + MASTER_ID_BYTES;

export function wrapDataKey(master: MasterKey, dataKey: Buffer, aad: string): Buffer {
  assertKeyLength(master.key, 'invalid_master_key');
  assertKeyLength(dataKey, 'invalid_data_key');
  const header = Buffer.alloc(WRAPPED_HEADER_BYTES);
  header[0] = FORMAT_VERSION;
  Buffer.from(master.id, 'hex').copy(header, 1);
  return seal(master.key, header, dataKey, aad);
}

/** The id of the master key a wrapped data key was wrapped under. */
export function wrappedKeyMasterId(stored: Buffer): string {
  const blob = asBuffer(stored);
  if (blob.length < WRAPPED_HEADER_BYTES + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_VERSION) {
    throw decryptionFailed();
  }
  return blob.subarray(1, WRAPPED_HEADER_BYTES).toString('hex');
}

/** Unwraps with whichever of `masters` the blob names; fails on any tampering. */
export function unwrapDataKey(masters: MasterKey[], blob: Buffer, aad: string): Buffer {
  const masterId = wrappedKeyMasterId(blob);
  const master = masters.find((m) => m.id === masterId);
  if (!master) {
    throw new DomainError(
      'master_key_unavailable',
      'The master key this data key was wrapped with is not configured.',
      { masterKeyId: masterId },
    );
  }
  const key = open(master.key, blob, WRAPPED_HEADER_BYTES, aad);
  if (key.length !== KEY_BYTES) throw decryptionFailed();
  return key;
}

// ── encrypting data with a data key ──────────────────────────────────────────

const CIPHERTEXT_HEADER_BYTES = 1 + DATA_KEY_ID_BYTES;

export function encryptWithDataKey(dk: DataKey, plaintext: Buffer | string, aad: string): Buffer {
  assertKeyLength(dk.key, 'invalid_data_key');
  if (!isUuid(dk.id)) throw new DomainError('invalid_data_key', 'Data key ids must be UUIDs.');
  const header = Buffer.alloc(CIPHERTEXT_HEADER_BYTES);
  header[0] = FORMAT_VERSION;
  uuidToBytes(dk.id).copy(header, 1);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  return seal(dk.key, header, data, aad);
}

/** The id (UUID string) of the data key a ciphertext was encrypted with. */
export function ciphertextDataKeyId(stored: Buffer): string {
  const blob = asBuffer(stored);
  if (blob.length < CIPHERTEXT_HEADER_BYTES + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_VERSION) {
    throw decryptionFailed();
  }
  return uuidFromBytes(blob.subarray(1, CIPHERTEXT_HEADER_BYTES));
}

export function decryptWithDataKey(dk: DataKey, blob: Buffer, aad: string): Buffer {
  if (ciphertextDataKeyId(blob) !== dk.id.toLowerCase()) throw decryptionFailed();
  return open(dk.key, blob, CIPHERTEXT_HEADER_BYTES, aad);
}
