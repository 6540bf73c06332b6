import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import {
  generateMasterKey,
  generateTotpCode,
  Keyring,
  masterKeyFromBase64,
  masterKeyToBase64,
  newId,
} from '@parley/core';
import { auditRepository, openDatabase, queryRows, type Database } from '@parley/db';
import { createTestDatabase, testEngine } from '@parley/testing';
import { buildApp } from '../src/app.ts';
import { verifyAllAuditChains } from '../src/maintenance/audit-verification.ts';
import { rewrapAllDataKeys } from '../src/maintenance/key-rotation.ts';
import { HttpClient } from './helpers/http-client.ts';
import { PASSWORD, signUpOwner } from './helpers/factories.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

let h: TestHarness;
before(async () => {
  h = await createTestApp();
});
after(async () => h.close());

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** An owner with 2FA on: their TOTP secret is encrypted under the platform data key. */
async function ownerWith2fa() {
  const owner = await signUpOwner(h.app);
  const setup = await owner.post('/api/v1/auth/2fa/setup');
  assert.equal(setup.status, 200);
  const enable = await owner.post('/api/v1/auth/2fa/enable', {
    code: await generateTotpCode(setup.body.secret),
  });
  assert.equal(enable.status, 200, JSON.stringify(enable.body));
  return { owner, secret: setup.body.secret as string, recovery: enable.body.recoveryCodes as string[] };
}

async function signInWith2fa(app: HttpClient['app'], email: string, recoveryCode: string) {
  const c = new HttpClient(app);
  const first = await c.post('/api/v1/auth/login', { email, password: PASSWORD });
  assert.equal(first.body.status, 'two_factor_required');
  return c.post('/api/v1/auth/login/2fa', { recoveryCode });
}

describe('master key rotation', () => {
  test('after re-wrapping, the new master key alone decrypts secrets written under the old one', async () => {
    const { owner, recovery } = await ownerWith2fa();
    const oldKey = masterKeyFromBase64(h.config.masterKey!);
    const newKey = generateMasterKey();

    const result = await rewrapAllDataKeys(h.ctx.db, new Keyring([newKey, oldKey]));
    assert.ok(
      result.rewrapped >= 2,
      `expected the platform key and a workspace key, got ${result.rewrapped}`,
    );
    const ids = await h.ctx.db.asOwner((tx) =>
      queryRows<{ id: string }>(tx, sql`select distinct master_key_id as id from data_keys`),
    );
    assert.deepEqual(
      ids.map((r) => r.id),
      [newKey.id],
    );

    // A server that knows only the new key: 2FA sign-in decrypts the TOTP secret fine.
    const onlyNew = await buildApp({ ...h.ctx, keyring: new Keyring([newKey]) });
    const ok = await signInWith2fa(onlyNew, owner.email, recovery[0]!);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    await onlyNew.close();

    // A server that knows only the retired key cannot unwrap anything, and says so loudly.
    const onlyOld = await buildApp({ ...h.ctx, keyring: new Keyring([oldKey]) });
    const c = new HttpClient(onlyOld);
    await c.post('/api/v1/auth/login', { email: owner.email, password: PASSWORD });
    const failed = await c.post('/api/v1/auth/login/2fa', { code: '123456' });
    assert.equal(failed.status, 500);
    assert.equal(failed.body.error.code, 'internal_error');
    await onlyOld.close();
  });
});

describe('tamper detection', () => {
  test('a modified ciphertext in the database fails loudly instead of decrypting to garbage', async () => {
    const fresh = createTestApp();
    const t = await fresh;
    try {
      const owner2 = await signUpOwner(t.app);
      const setup = await owner2.post('/api/v1/auth/2fa/setup');
      await owner2.post('/api/v1/auth/2fa/enable', { code: await generateTotpCode(setup.body.secret) });
      // Flip one byte in the middle of the stored (encrypted) TOTP secret.
      await t.ctx.db.asOwner((tx) =>
        tx.execute(
          sql`update users set totp_secret = set_byte(totp_secret, 40, (get_byte(totp_secret, 40) + 1) % 256) where id = ${owner2.userId}`,
        ),
      );
      const c = new HttpClient(t.app);
      await c.post('/api/v1/auth/login', { email: owner2.email, password: PASSWORD });
      const res = await c.post('/api/v1/auth/login/2fa', { code: await generateTotpCode(setup.body.secret) });
      assert.equal(res.status, 500);
      const logged = t.logs.find((l) => l.includes(res.body.error.errorId));
      assert.ok(logged, 'the errorId is in the server log');
      assert.match(logged, /decryption_failed/);
    } finally {
      await t.close();
    }
  });
});

describe('audit verify', () => {
  test('detects an audit row edited behind the application’s back', async () => {
    const owner = await signUpOwner(h.app);
    await owner.patch('/api/v1/workspace', { name: 'Renamed' });
    const before = await verifyAllAuditChains(h.ctx.db);
    assert.ok(
      before.every((r) => r.result.ok),
      JSON.stringify(before),
    );

    await h.ctx.db.asOwner(async (tx) => {
      await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await tx.execute(
        sql`update audit_log set metadata = '{"name":"Forged"}' where workspace_id = ${owner.workspaceId} and action = 'workspace.updated'`,
      );
      await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    });
    const reports = await verifyAllAuditChains(h.ctx.db);
    const broken = reports.find((r) => r.workspaceId === owner.workspaceId);
    assert.deepEqual(broken?.result, { ok: false, seq: 2, reason: 'hash_mismatch' });
  });

  test('the `parley audit verify` command exits 1 and names the broken chain', async () => {
    const own = testEngine() === 'postgres' ? await createTestDatabase() : null;
    // Runs the real CLI in a child process against its own embedded database or server database.
    const masterKey = masterKeyToBase64(generateMasterKey());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cli-'));
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PARLEY_MASTER_KEY: masterKey,
      PARLEY_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
    };
    if (own) env.DATABASE_URL = own.url!;
    else delete env.DATABASE_URL;
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', ...args], {
        cwd: repoRoot,
        env,
        encoding: 'utf8',
      });

    const migrate = cli('migrate');
    assert.equal(migrate.status, 0, migrate.stderr);
    // The embedded engine allows one process per folder: the test opens it only between CLI runs.
    const withDb = async (fn: (db: Database) => Promise<void>) => {
      if (own) return fn(own.db);
      const db = await openDatabase({ engine: 'pglite', dataDir: path.join(dir, 'pglite') });
      try {
        await fn(db);
      } finally {
        await db.close();
      }
    };
    return (async () => {
      const workspaceId = newId();
      await withDb((db) =>
        db.run({ workspaceId, operator: true }, async (tx) => {
          await tx.execute(sql`insert into workspaces (id, name) values (${workspaceId}, 'CLI test')`);
          for (const action of ['one', 'two', 'three']) {
            await auditRepository(tx).append({
              workspaceId,
              actorType: 'system',
              actorId: null,
              action,
              targetType: null,
              targetId: null,
              outcome: 'success',
              ip: null,
              metadata: {},
            });
          }
        }),
      );
      const intact = cli('audit', 'verify');
      assert.equal(intact.status, 0, intact.stdout + intact.stderr);
      await withDb((db) =>
        db.asOwner(async (tx) => {
          await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
          await tx.execute(sql`delete from audit_log where workspace_id = ${workspaceId} and seq = 2`);
          await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
        }),
      );
      const verify = cli('audit', 'verify');
      assert.equal(verify.status, 1, verify.stdout + verify.stderr);
      assert.match(verify.stdout, new RegExp(`BROKEN  ${workspaceId}: entry 3`));
      fs.rmSync(dir, { recursive: true, force: true });
      await own?.close();
    })();
  });
});
