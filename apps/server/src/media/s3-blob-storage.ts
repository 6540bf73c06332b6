import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { BlobStorage } from '@parley/core';

/** `<workspace>/<media id>`, or `<workspace>/<upload id>.meta` (an upload's sealed description). */
const KEY_PATTERN = /^[0-9a-f-]{36}\/[0-9a-f-]{36}(\.meta)?$/;

export interface S3BlobStorageOptions {
  /** An S3-compatible endpoint (MinIO, R2, …); AWS itself when absent. */
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key` (most S3-compatible servers). */
  forcePathStyle: boolean;
  /** Prepended to every object key, e.g. `parley/` to share a bucket. */
  prefix?: string | undefined;
}

/** A storage error safe to log: the operation, the key and S3's error code, never credentials or bodies. */
function storageError(op: string, key: string, e: unknown): Error {
  if (e instanceof S3ServiceException) {
    const status = e.$metadata.httpStatusCode;
    if (e.name === 'NoSuchKey' || (op === 'get' && status === 404)) {
      return new Error(`media object not found in S3 storage: ${key}`);
    }
    return new Error(`S3 ${op} of ${key} failed: ${e.name}${status ? ` (HTTP ${status})` : ''}`);
  }
  const name = e instanceof Error ? e.name : 'unknown error';
  const code = (e as { code?: unknown } | null)?.code;
  return new Error(`S3 ${op} of ${key} failed: ${name}${typeof code === 'string' ? ` (${code})` : ''}`);
}

/**
 * Media bytes in an S3-compatible bucket (already encrypted by the caller): `<prefix><workspace>/<media id>`.
 * Objects are written as opaque `application/octet-stream` with no metadata; S3's own server-side
 * encryption is left to the bucket's defaults, since the bytes are sealed before they get here.
 */
export function s3BlobStorage(options: S3BlobStorageOptions): BlobStorage & { close(): void } {
  const client = new S3Client({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // Many S3-compatible servers reject the SDK's newer default checksums; the sealed bytes carry an
    // AES-GCM tag anyway, so any corruption is caught when they are decrypted.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const prefix = options.prefix ? `${options.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
  const objectKey = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new Error('invalid storage key');
    return `${prefix}${key}`;
  };
  const Bucket = options.bucket;
  return {
    async put(key, bytes) {
      const Key = objectKey(key);
      try {
        await client.send(
          new PutObjectCommand({ Bucket, Key, Body: bytes, ContentType: 'application/octet-stream' }),
        );
      } catch (e) {
        throw storageError('put', key, e);
      }
    },
    async get(key) {
      const Key = objectKey(key);
      let bytes: Uint8Array | undefined;
      try {
        const res = await client.send(new GetObjectCommand({ Bucket, Key }));
        bytes = await res.Body?.transformToByteArray();
      } catch (e) {
        throw storageError('get', key, e);
      }
      if (!bytes) throw new Error(`S3 get of ${key} returned no body`);
      return Buffer.from(bytes);
    },
    async delete(key) {
      const Key = objectKey(key);
      try {
        // Deleting a missing object succeeds in S3, as `rm --force` does on disk.
        await client.send(new DeleteObjectCommand({ Bucket, Key }));
      } catch (e) {
        throw storageError('delete', key, e);
      }
    },
    close() {
      client.destroy();
    },
  };
}
