import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { newId } from '@parley/core';
import { createTestDatabase, type TestDatabase } from '@parley/testing';
import { queryRows, workspaceRepository } from '@parley/db';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => t.close());

describe('row-level security in the catalog', () => {
  test('every table with a workspace_id column has RLS enabled and forced', async () => {
    const rows = await t.db.asOwner((tx) =>
      queryRows<{ table: string; enabled: boolean; forced: boolean }>(
        tx,
        sql`select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p')
              and exists (select 1 from pg_attribute a
                          where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped)
            order by 1`,
      ),
    );
    assert.ok(rows.length >= 6, `expected tenant tables, found ${rows.map((r) => r.table).join(', ')}`);
    const unprotected = rows.filter((r) => !r.enabled || !r.forced).map((r) => r.table);
    assert.deepEqual(
      unprotected,
      [],
      `tables with workspace_id but without forced RLS: ${unprotected.join(', ')}`,
    );
  });

  test('the application role owns nothing, bypasses nothing and cannot rewrite the audit log', async () => {
    const [role] = await t.db.asOwner((tx) =>
      queryRows<{ super: boolean; bypass: boolean; owned: number }>(
        tx,
        sql`select r.rolsuper as super, r.rolbypassrls as bypass,
                   (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
            from pg_roles r where r.rolname = 'parley_app'`,
      ),
    );
    assert.deepEqual(role, { super: false, bypass: false, owned: 0 });
    const [priv] = await t.db.asOwner((tx) =>
      queryRows<Record<string, boolean>>(
        tx,
        sql`select has_table_privilege('parley_app', 'audit_log', 'INSERT') as insert,
                   has_table_privilege('parley_app', 'audit_log', 'SELECT') as select,
                   has_table_privilege('parley_app', 'audit_log', 'UPDATE') as update,
                   has_table_privilege('parley_app', 'audit_log', 'DELETE') as delete,
                   has_table_privilege('parley_app', 'audit_log', 'TRUNCATE') as truncate`,
      ),
    );
    assert.deepEqual(priv, { insert: true, select: true, update: false, delete: false, truncate: false });
  });

  test('a scoped transaction runs as parley_app, not as the connecting role', async () => {
    const [row] = await t.db.run({}, (tx) => queryRows<{ who: string }>(tx, sql`select current_user as who`));
    assert.equal(row?.who, 'parley_app');
  });
});

describe('the database refuses cross-tenant access', () => {
  const a = newId();
  const b = newId();
  const userA = newId();

  before(async () => {
    for (const id of [a, b]) {
      await t.db.run({ workspaceId: id }, (tx) =>
        workspaceRepository(tx).insertWorkspace({ id, name: `ws ${id}`, plan: 'free' }),
      );
    }
    await t.db.run({}, (tx) =>
      tx.execute(
        sql`insert into users (id, email, name, password_hash) values (${userA}, ${`${userA}@x.test`}, 'A', 'x')`,
      ),
    );
    await t.db.run({ workspaceId: a }, (tx) =>
      workspaceRepository(tx).insertMembership({ workspaceId: a, userId: userA, role: 'owner' }),
    );
  });

  test("workspace B's scope sees none of A's rows", async () => {
    const seen = await t.db.run({ workspaceId: b }, async (tx) => ({
      workspace: await workspaceRepository(tx).getWorkspace(a),
      members: await workspaceRepository(tx).listMembers(a),
    }));
    assert.equal(seen.workspace, null);
    assert.deepEqual(seen.members, []);
  });

  test("workspace B's scope cannot write rows into A", async () => {
    await assert.rejects(
      t.db.run({ workspaceId: b }, (tx) =>
        workspaceRepository(tx).insertMembership({ workspaceId: a, userId: userA, role: 'agent' }),
      ),
      (e: Error & { cause?: Error }) => /row-level security/i.test(`${e.message} ${e.cause?.message ?? ''}`),
    );
  });

  test("workspace B's scope cannot change or delete A's rows (they are invisible)", async () => {
    await t.db.run({ workspaceId: b }, async (tx) => {
      await workspaceRepository(tx).updateMemberRole(a, userA, 'analyst');
      await workspaceRepository(tx).deleteMember(a, userA);
    });
    const member = await t.db.run({ workspaceId: a }, (tx) => workspaceRepository(tx).getMember(a, userA));
    assert.equal(member?.role, 'owner');
  });

  test('a transaction with no workspace sees no tenant rows at all', async () => {
    const [row] = await t.db.run({}, (tx) =>
      queryRows<{ n: number }>(
        tx,
        sql`select (select count(*) from memberships)::int + (select count(*) from workspaces)::int as n`,
      ),
    );
    assert.equal(row?.n, 0);
  });
});

describe('system statements (autocommit, scoped once per session)', () => {
  const whoAmI = sql`select current_user as who, current_setting('app.system', true) as system,
    current_setting('app.workspace_id', true) as workspace`;

  test('run as parley_app in the system scope, and see no tenant rows', async () => {
    for (let i = 0; i < 3; i += 1) {
      const [row] = await t.db.systemStatements((tx) =>
        queryRows<{ who: string; system: string; workspace: string }>(tx, whoAmI),
      );
      assert.deepEqual(row, { who: 'parley_app', system: 'on', workspace: '' });
    }
    const [seen] = await t.db.systemStatements((tx) =>
      queryRows<{ n: number }>(tx, sql`select count(*)::int as n from workspaces`),
    );
    assert.equal(seen?.n, 0);
  });

  test('each statement commits on its own (PostgreSQL): a later failure undoes nothing before it', async (ctx) => {
    if (t.engine !== 'postgres') return ctx.skip('PGlite runs them in one transaction');
    const id = newId();
    await assert.rejects(
      t.db.systemStatements(async (tx) => {
        await tx.execute(
          sql`insert into webhook_events (id, object, body, body_hash, received_at, next_attempt_at)
              values (${id}, 'page', '\\x00'::bytea, ${id}, now(), now())`,
        );
        await tx.execute(sql`select 1 / 0`);
      }),
    );
    const [row] = await t.db.asOwner((tx) =>
      queryRows<{ n: number }>(tx, sql`select count(*)::int as n from webhook_events where id = ${id}`),
    );
    assert.equal(row?.n, 1);
  });

  test('a session that is cut off is replaced, and the new one is scoped before its first statement', async (ctx) => {
    if (t.engine !== 'postgres') return ctx.skip('PGlite has one in-process connection');
    await t.db.systemStatements((tx) => queryRows(tx, sql`select 1`));
    // Kill every system session from outside (as a restart of the server or a network cut would).
    await t.db.asOwner((tx) =>
      tx.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity
                     where application_name = 'parley-system' and datname = current_database()`),
    );
    let ok: { who: string; system: string } | undefined;
    for (let attempt = 0; attempt < 3 && !ok; attempt += 1) {
      try {
        [ok] = await t.db.systemStatements((tx) => queryRows<{ who: string; system: string }>(tx, whoAmI));
      } catch {
        // The idle session that was killed fails once; it is then discarded.
      }
    }
    assert.equal(ok?.who, 'parley_app');
    assert.equal(ok?.system, 'on');
  });
});
