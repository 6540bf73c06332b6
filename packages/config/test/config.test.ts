import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  ConfigError,
  envSchema,
  loadConfig,
  loadSimulatorConfig,
  redactedConfig,
  SECRET_VARIABLES,
  simulatorEnvSchema,
} from '@parley/config';

test('defaults: embedded database in ./data, demo on, port 3000', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.database.engine, 'pglite');
  assert.equal(c.demo, true);
  assert.equal(c.signup, 'first-user');
  assert.equal(c.publicUrl, 'http://localhost:3000');
  assert.equal(c.session.secureCookie, false);
});

test('a bad value stops the start with a message naming the variable, never its value', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://secret-password@db' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /PORT/);
      assert.match(e.message, /DATABASE_URL: must be a postgres/);
      assert.doesNotMatch(e.message, /secret-password|eighty/);
      return true;
    },
  );
});

test('a server database requires a master key from the environment', () => {
  assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://u:p@h/db' }), /PARLEY_MASTER_KEY: required/);
});

test('secrets are masked in the printable configuration', () => {
  const c = loadConfig({
    DATABASE_URL: 'postgres://parley:hunter2@db.example/parley',
    PARLEY_MASTER_KEY: 'a'.repeat(44),
    METRICS_TOKEN: 'metrics-token-123456',
  });
  const printed = JSON.stringify(redactedConfig(c));
  assert.doesNotMatch(printed, /hunter2|aaaaaaaa|metrics-token/);
  assert.match(printed, /db\.example/);
});

test('docs/configuration.md documents every variable, and marks every secret', () => {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');
  for (const name of Object.keys(envSchema.shape)) {
    assert.match(doc, new RegExp(`\\| \`${name}\` \\|`), `${name} is not documented`);
  }
  const simulatorSection = doc.slice(doc.indexOf('## The standalone simulator'));
  for (const name of Object.keys(simulatorEnvSchema.shape)) {
    assert.match(
      simulatorSection,
      new RegExp(`\\| \`${name}\` \\|`),
      `simulator variable ${name} is not documented`,
    );
  }
  for (const name of SECRET_VARIABLES) {
    assert.match(
      doc,
      new RegExp(`\\| \`${name}\` \\|[^\\n]*\\*\\*secret\\.\\*\\*`),
      `${name} is not marked secret`,
    );
  }
});

test('the standalone simulator config: defaults, and a bad URL named', () => {
  assert.deepEqual(loadSimulatorConfig({}), {
    port: 4000,
    host: '127.0.0.1',
    publicUrl: undefined,
    webhook: undefined,
  });
  assert.throws(() => loadSimulatorConfig({ SIM_WEBHOOK_URL: 'not a url' }), /SIM_WEBHOOK_URL/);
});

test('media storage: local disk by default', () => {
  const c = loadConfig({});
  assert.equal(c.media.storage, 'local');
  assert.equal(c.media.maxBytes, 100 * 1024 * 1024);
});

test('MEDIA_STORAGE=s3 names each missing variable, never the values present', () => {
  assert.throws(
    () => loadConfig({ MEDIA_STORAGE: 's3', S3_SECRET_ACCESS_KEY: 'shh-very-secret-key' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.problems, [
        'S3_BUCKET: required when MEDIA_STORAGE=s3',
        'S3_ACCESS_KEY_ID: required when MEDIA_STORAGE=s3',
      ]);
      assert.doesNotMatch(e.message, /shh-very-secret-key/);
      return true;
    },
  );
  assert.throws(
    () => loadConfig({ MEDIA_STORAGE: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.problems, ['S3_SECRET_ACCESS_KEY: required when MEDIA_STORAGE=s3']);
      assert.doesNotMatch(e.message, /AKIAEXAMPLE/);
      return true;
    },
  );
  // The S3 variables are not required (nor read) with local storage.
  assert.equal(loadConfig({ S3_BUCKET: 'media' }).media.storage, 'local');
  assert.throws(() => loadConfig({ MEDIA_STORAGE: 'gcs' }), /MEDIA_STORAGE/);
  assert.throws(
    () => loadConfig({ MEDIA_STORAGE: 's3', S3_ENDPOINT: 'not a url://secret@x' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /S3_ENDPOINT/);
      assert.doesNotMatch(e.message, /secret@x/);
      return true;
    },
  );
});

test('MEDIA_STORAGE=s3: AWS by default, path-style by default with a custom endpoint', () => {
  const s3 = { MEDIA_STORAGE: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'key' };
  assert.deepEqual(loadConfig(s3).media.storage, {
    kind: 's3',
    endpoint: undefined,
    region: 'us-east-1',
    bucket: 'media',
    accessKeyId: 'id',
    secretAccessKey: 'key',
    forcePathStyle: false,
  });
  const minio = loadConfig({ ...s3, S3_ENDPOINT: 'http://minio:9000/', S3_REGION: 'eu-west-1' });
  assert.deepEqual(minio.media.storage, {
    kind: 's3',
    endpoint: 'http://minio:9000',
    region: 'eu-west-1',
    bucket: 'media',
    accessKeyId: 'id',
    secretAccessKey: 'key',
    forcePathStyle: true,
  });
  const r2 = loadConfig({
    ...s3,
    S3_ENDPOINT: 'https://x.r2.cloudflarestorage.com',
    S3_FORCE_PATH_STYLE: 'false',
  });
  assert.equal(r2.media.storage !== 'local' && r2.media.storage.forcePathStyle, false);
  const aws = loadConfig({ ...s3, S3_FORCE_PATH_STYLE: 'yes' });
  assert.equal(aws.media.storage !== 'local' && aws.media.storage.forcePathStyle, true);
  assert.throws(() => loadConfig({ ...s3, S3_FORCE_PATH_STYLE: 'maybe' }), /S3_FORCE_PATH_STYLE/);
});

test('the S3 secret access key is a secret: masked in the printable configuration', () => {
  assert.ok((SECRET_VARIABLES as readonly string[]).includes('S3_SECRET_ACCESS_KEY'));
  const c = loadConfig({
    MEDIA_STORAGE: 's3',
    S3_BUCKET: 'parley-media',
    S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-s3-secret',
  });
  const printed = JSON.stringify(redactedConfig(c));
  assert.doesNotMatch(printed, /wJalrXUtnFEMI/);
  assert.match(printed, /parley-media/);
  assert.match(printed, /"secretAccessKey":"\*{8}"/);
  // The configuration itself is untouched.
  assert.equal(c.media.storage !== 'local' && c.media.storage.secretAccessKey, 'wJalrXUtnFEMI-s3-secret');
});

test('REALTIME_RETENTION_HOURS: 24 hours by default, at least one hour', () => {
  assert.equal(loadConfig({}).realtime.retentionHours, 24);
  assert.equal(loadConfig({ REALTIME_RETENTION_HOURS: '72' }).realtime.retentionHours, 72);
  for (const bad of ['0', '1.5', 'a day']) {
    assert.throws(() => loadConfig({ REALTIME_RETENTION_HOURS: bad }), /REALTIME_RETENTION_HOURS/);
  }
});
