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
