/**
 * The S3-compatible media driver against a real S3 HTTP server (s3rver, in process on 127.0.0.1):
 * the BlobStorage contract, and a customer's image going all the way into the bucket, encrypted.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DEMO } from '@parley/simulator';
import { s3BlobStorage } from '../src/media/s3-blob-storage.ts';
import { signUpOwner } from './helpers/factories.ts';
import { connectDemoChannels, createLiveApp, eventually } from './helpers/live-app.ts';

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
  httpServer: Server;
}
// s3rver ships no type declarations.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

const BUCKET = 'parley-media';
/** s3rver's only account. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let server: S3rverInstance;
let dir: string;
let endpoint: string;
let inspector: S3Client;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-s3rver-'));
  server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
  });
  await server.run();
  const address = server.httpServer.address();
  assert.ok(address && typeof address === 'object');
  endpoint = `http://127.0.0.1:${address.port}`;
  inspector = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS });
});
after(async () => {
  inspector.destroy();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function storage(overrides: Partial<Parameters<typeof s3BlobStorage>[0]> = {}) {
  return s3BlobStorage({
    endpoint,
    region: 'us-east-1',
    bucket: BUCKET,
    forcePathStyle: true,
    ...CREDENTIALS,
    ...overrides,
  });
}

/** The raw object as the bucket holds it. */
async function objectBytes(key: string): Promise<Buffer> {
  const res = await inspector.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

describe('s3BlobStorage', () => {
  test('put, get and delete round trip, byte for byte, at <workspace>/<media id>', async () => {
    const s = storage();
    const key = `${randomUUID()}/${randomUUID()}`;
    const bytes = Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.alloc(256 * 1024, 7)]);
    await s.put(key, bytes);
    assert.deepEqual(await s.get(key), bytes);
    assert.deepEqual(await objectBytes(key), bytes, 'stored as given, under the key itself');
    await s.put(key, Buffer.from('replaced'));
    assert.equal((await s.get(key)).toString(), 'replaced');
    await s.delete(key);
    await assert.rejects(s.get(key), /not found/);
    await s.delete(key); // deleting twice is fine, as on disk
    s.close();
  });

  test('a missing key throws an Error that names the key, not the credentials', async () => {
    const s = storage();
    const key = `${randomUUID()}/${randomUUID()}`;
    await assert.rejects(s.get(key), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, `media object not found in S3 storage: ${key}`);
      assert.doesNotMatch(e.message, /S3RVER/);
      return true;
    });
    s.close();
  });

  test('refused credentials: the error says so without the secret', async () => {
    const s = storage({ accessKeyId: 'NOT-AN-ACCOUNT', secretAccessKey: 'not-the-secret-0123456789' });
    const key = `${randomUUID()}/${randomUUID()}`;
    for (const attempt of [() => s.put(key, Buffer.from('x')), () => s.get(key)]) {
      await assert.rejects(attempt, (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /^S3 (put|get) of .* failed: \w+/);
        assert.doesNotMatch(JSON.stringify({ ...e, message: e.message, stack: e.stack }), /not-the-secret/);
        return true;
      });
    }
    s.close();
  });

  test('a prefix keeps Parley to its part of a shared bucket; keys are checked', async () => {
    const s = storage({ prefix: '/parley/' });
    const key = `${randomUUID()}/${randomUUID()}`;
    await s.put(key, Buffer.from('prefixed'));
    assert.equal((await objectBytes(`parley/${key}`)).toString(), 'prefixed');
    assert.equal((await s.get(key)).toString(), 'prefixed');
    await s.delete(key);
    await assert.rejects(s.put('../../etc/passwd', Buffer.from('x')), /invalid storage key/);
    s.close();
  });
});

describe('MEDIA_STORAGE=s3, end to end', () => {
  test('a customer’s image is stored encrypted in the bucket and served decrypted', async () => {
    const h = await createLiveApp({
      env: {
        MEDIA_STORAGE: 's3',
        S3_ENDPOINT: endpoint,
        S3_BUCKET: BUCKET,
        S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      },
    });
    try {
      const owner = await signUpOwner(h.app);
      const channels = await connectDemoChannels(owner);
      const customer = await h.simClient.createCustomer({ name: 'Sara Bucket' });
      await h.simClient.customerSends(customer.id, DEMO.phoneNumberId, { type: 'image', text: 'caption' });
      const image = await eventually(async () => {
        const list = await owner.get(`/api/v1/conversations?channelId=${channels.whatsapp}&limit=200`);
        for (const c of list.body.items) {
          const res = await owner.get(`/api/v1/conversations/${c.id}/messages?limit=200`);
          const m = res.body.items.find(
            (i: any) => i.type === 'image' && i.content.media?.caption === 'caption',
          );
          if (m?.media?.status === 'stored') return m;
        }
        return null;
      }, 'the image to be stored');

      const served = await owner.get(image.media.url);
      assert.equal(served.status, 200);
      assert.match(String(served.headers['content-type']), /^image\//);
      const original: Buffer = served.raw.rawPayload;
      assert.ok(original.length > 50);

      const key = `${owner.workspaceId}/${image.media.id}`;
      const listed = await inspector.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
      assert.deepEqual(
        listed.Contents?.map((o) => o.Key),
        [key],
      );
      const inBucket = await objectBytes(key);
      assert.ok(inBucket.length > original.length, 'sealed: nonce and tag added');
      assert.ok(!inBucket.includes(original.subarray(0, 32)), 'media bytes are stored in the clear');
      const head = await inspector.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      assert.deepEqual(head.Metadata ?? {}, {}, 'no metadata beside the sealed bytes');
      assert.equal(head.ContentType, 'application/octet-stream');
      assert.deepEqual(
        fs.readdirSync(h.ctx.config.media.dir),
        [],
        'nothing written to the local media directory',
      );
    } finally {
      await h.close();
    }
  });
});
