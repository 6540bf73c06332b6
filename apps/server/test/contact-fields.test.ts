/**
 * Custom contact fields and contact editing through HTTP: definitions (admins), typed values
 * (agents), clearing, unknown keys, archive and delete, roles, audit, and encryption at rest.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '@parley/db';
import { seedChannel, seedInbound } from './helpers/conversations.ts';
import { addApiKey, addMember, signUpOwner } from './helpers/factories.ts';
import type { HttpClient, Response } from './helpers/http-client.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

let h: TestHarness;
let owner: Awaited<ReturnType<typeof signUpOwner>>;
let admin: HttpClient;
let agent: HttpClient;
let analyst: HttpClient;
let contactId: string;

before(async () => {
  h = await createTestApp();
  await signUpOwner(h.app, { workspaceName: 'Operator home' });
  owner = await signUpOwner(h.app);
  admin = await addMember(owner, 'admin');
  agent = await addMember(owner, 'agent');
  analyst = await addMember(owner, 'analyst');
  const channel = await seedChannel(h, String(owner.workspaceId));
  contactId = (await seedInbound(h, channel, { profileName: 'Maria Ferreira' })).contactId;
});
after(async () => h.close());

function assertError(res: Response, status: number, code: string, what: string) {
  assert.equal(res.status, status, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error.code, code, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body.error.message, 'string');
}

const fieldsOf = (res: Response) => (res.body.error.details?.fields ?? []) as Record<string, string>[];

async function define(body: Record<string, unknown>, client: HttpClient = admin) {
  const res = await client.post('/api/v1/contact-fields', body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; key: string; label: string; type: string; options: string[] };
}

const contact = (client: HttpClient = agent) => client.get(`/api/v1/contacts/${contactId}`);
const edit = (body: unknown, client: HttpClient = agent) =>
  client.patch(`/api/v1/contacts/${contactId}`, body);

describe('definitions', () => {
  test('an admin defines fields of each type; everyone who reads contacts lists them', async () => {
    const plan = await define({ key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro'] });
    assert.deepEqual(
      { key: plan.key, label: plan.label, type: plan.type, options: plan.options },
      { key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro'] },
    );
    await define({ key: 'company', label: '  Company  ', type: 'text' });
    await define({ key: 'seats', label: 'Seats', type: 'number' });
    await define({ key: 'birthday', label: 'Birthday', type: 'date' });
    await define({ key: 'vip', label: 'VIP', type: 'boolean' }, owner);
    for (const reader of [agent, admin, owner]) {
      const list = await reader.get('/api/v1/contact-fields');
      assert.equal(list.status, 200, JSON.stringify(list.body));
      assert.deepEqual(
        list.body.items.map((f: { key: string }) => f.key),
        ['plan', 'company', 'seats', 'birthday', 'vip'],
      );
      assert.equal(list.body.items[1].label, 'Company', 'the label is trimmed');
      assert.equal(list.body.items[0].archived, false);
    }
    assertError(await analyst.get('/api/v1/contact-fields'), 403, 'forbidden', 'analyst lists');
  });

  test('an agent (person or API key) cannot create, change or delete definitions', async () => {
    const [field] = (await admin.get('/api/v1/contact-fields')).body.items as { id: string }[];
    assert.ok(field);
    const agentKey = await addApiKey(owner, 'agent');
    for (const client of [agent, agentKey]) {
      assertError(
        await client.post('/api/v1/contact-fields', { key: 'sneaky', label: 'Sneaky', type: 'text' }),
        403,
        'forbidden',
        'agent creates',
      );
      assertError(
        await client.patch(`/api/v1/contact-fields/${field.id}`, { label: 'Renamed' }),
        403,
        'forbidden',
        'agent relabels',
      );
      assertError(
        await client.delete(`/api/v1/contact-fields/${field.id}`),
        403,
        'forbidden',
        'agent deletes',
      );
    }
    const adminKey = await addApiKey(owner, 'admin');
    const created = await adminKey.post('/api/v1/contact-fields', {
      key: 'via_key',
      label: 'Via key',
      type: 'text',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await adminKey.delete(`/api/v1/contact-fields/${created.body.id}`)).status, 204);
  });

  test('bad definitions get 400 naming the field; a taken key 409', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ key: 'Plan', label: 'x', type: 'text' }, 'body/key'],
      [{ key: '1st', label: 'x', type: 'text' }, 'body/key'],
      [{ key: 'a'.repeat(41), label: 'x', type: 'text' }, 'body/key'],
      [{ key: 'ok_key', label: '   ', type: 'text' }, 'body/label'],
      [{ key: 'ok_key', label: 'x', type: 'colour' }, 'body/type'],
      [{ key: 'ok_key', label: 'x', type: 'text', options: ['a'] }, 'body/options'],
      [{ key: 'ok_key', label: 'x', type: 'select' }, 'body/options'],
      [{ key: 'ok_key', label: 'x', type: 'select', options: [] }, 'body/options'],
      [{ key: 'ok_key', label: 'x', type: 'select', options: ['A', 'a'] }, 'body/options/1'],
      [{ key: 'ok_key', label: 'x', type: 'select', options: ['A', '  '] }, 'body/options/1'],
    ];
    for (const [body, path] of cases) {
      const res = await admin.post('/api/v1/contact-fields', body);
      assertError(res, 400, 'validation_failed', JSON.stringify(body));
      assert.ok(
        fieldsOf(res).some((f) => (f.path ?? '').startsWith(path)),
        `${JSON.stringify(body)}: ${JSON.stringify(res.body.error.details)}`,
      );
    }
    const taken = await admin.post('/api/v1/contact-fields', { key: 'plan', label: 'Again', type: 'text' });
    assertError(taken, 409, 'contact_field_exists', 'taken key');
    assert.equal(fieldsOf(taken)[0]?.path, 'body/key');
  });

  test('relabel, change options, archive and restore; key and type cannot change', async () => {
    const field = await define({ key: 'tier', label: 'Tier', type: 'select', options: ['Gold'] });
    const url = `/api/v1/contact-fields/${field.id}`;
    const relabeled = await admin.patch(url, { label: 'Customer tier', options: ['Gold', 'Silver'] });
    assert.equal(relabeled.status, 200, JSON.stringify(relabeled.body));
    assert.equal(relabeled.body.label, 'Customer tier');
    assert.deepEqual(relabeled.body.options, ['Gold', 'Silver']);
    for (const body of [{ key: 'other' }, { type: 'text' }]) {
      assertError(await admin.patch(url, body), 400, 'validation_failed', JSON.stringify(body));
    }
    const company = (await admin.get('/api/v1/contact-fields')).body.items.find(
      (f: { key: string }) => f.key === 'company',
    );
    assertError(
      await admin.patch(`/api/v1/contact-fields/${company.id}`, { options: ['a'] }),
      400,
      'validation_failed',
      'options on a text field',
    );
    const archived = await admin.patch(url, { archived: true });
    assert.equal(archived.status, 200);
    assert.equal(archived.body.archived, true);
    assert.ok(archived.body.archivedAt);
    const restored = await admin.patch(url, { archived: false });
    assert.equal(restored.body.archived, false);
    assert.equal(restored.body.archivedAt, null);
    assertError(
      await admin.patch('/api/v1/contact-fields/0190f000-0000-7000-8000-0000000000aa', { label: 'x' }),
      404,
      'not_found',
      'missing field',
    );
  });
});

describe('values', () => {
  test('an agent sets values of every type and corrects the name; GET returns them', async () => {
    const before = await contact();
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.deepEqual(before.body.customFields, {});
    assert.equal(before.body.name, 'Maria Ferreira');
    const res = await edit({
      name: '  Maria F. Souza ',
      customFields: { plan: 'Pro', company: ' Acme ', seats: 12.5, birthday: '1990-02-28', vip: true },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const expected = { plan: 'Pro', company: 'Acme', seats: 12.5, birthday: '1990-02-28', vip: true };
    assert.deepEqual(res.body.customFields, expected);
    assert.equal(res.body.name, 'Maria F. Souza');
    const after = await contact(owner);
    assert.deepEqual(after.body.customFields, expected);
    assert.equal(after.body.name, 'Maria F. Souza');
    // The conversation list shows the corrected name too.
    const list = await agent.get(`/api/v1/conversations?contactId=${contactId}`);
    assert.equal(list.body.items[0].contact.name, 'Maria F. Souza');
    // false and 0 are values, not clearing.
    const falsy = await edit({ customFields: { vip: false, seats: 0 } });
    assert.equal(falsy.body.customFields.vip, false);
    assert.equal(falsy.body.customFields.seats, 0);
  });

  test('null (or blank text) clears a value; keys not sent are left alone', async () => {
    const res = await edit({ customFields: { seats: null, company: '   ' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal('seats' in res.body.customFields, false);
    assert.equal('company' in res.body.customFields, false);
    assert.equal(res.body.customFields.plan, 'Pro');
    assert.equal(res.body.customFields.birthday, '1990-02-28');
    // Clearing what is not set is fine.
    assert.equal((await edit({ customFields: { seats: null } })).status, 200);
    assert.deepEqual((await contact()).body.customFields, res.body.customFields);
  });

  test('a value of the wrong type → 400 invalid_field_value naming the field; nothing is saved', async () => {
    const before = (await contact()).body;
    const cases: [string, unknown][] = [
      ['seats', 'twelve'],
      ['seats', true],
      ['birthday', '1990-02-30'],
      ['birthday', '28/02/1990'],
      ['birthday', 19900228],
      ['vip', 'yes'],
      ['vip', 1],
      ['plan', 'Enterprise'],
      ['plan', 'pro'],
      ['company', 42],
      ['company', 'x'.repeat(1001)],
    ];
    for (const [key, value] of cases) {
      // A valid change beside the bad one: it must not be applied either.
      const res = await edit({ name: 'Not saved', customFields: { plan: 'Free', [key]: value } });
      assertError(res, 400, 'invalid_field_value', `${key}: ${JSON.stringify(value)}`);
      const [problem] = fieldsOf(res);
      assert.equal(problem?.field, key);
      assert.equal(problem?.path, `body/customFields/${key}`);
      assert.ok(problem?.problem);
    }
    const nested = await edit({ customFields: { company: { a: 1 } } });
    assertError(nested, 400, 'validation_failed', 'object value');
    assert.deepEqual((await contact()).body, before);
  });

  test('unknown and archived keys are rejected; an archived field is hidden, its value kept', async () => {
    const unknown = await edit({ customFields: { shoe_size: 42 } });
    assertError(unknown, 400, 'unknown_contact_field', 'unknown key');
    assert.equal(fieldsOf(unknown)[0]?.field, 'shoe_size');
    const plan = (await admin.get('/api/v1/contact-fields')).body.items.find(
      (f: { key: string }) => f.key === 'plan',
    );
    await admin.patch(`/api/v1/contact-fields/${plan.id}`, { archived: true });
    assert.equal('plan' in (await contact()).body.customFields, false);
    const archived = await edit({ customFields: { plan: 'Free' } });
    assertError(archived, 400, 'unknown_contact_field', 'archived key');
    assert.equal(fieldsOf(archived)[0]?.problem, 'is archived');
    await admin.patch(`/api/v1/contact-fields/${plan.id}`, { archived: false });
    assert.equal((await contact()).body.customFields.plan, 'Pro');
  });

  test('deleting a field deletes its values', async () => {
    const temp = await define({ key: 'temp', label: 'Temp', type: 'text' });
    assert.equal((await edit({ customFields: { temp: 'soon gone' } })).body.customFields.temp, 'soon gone');
    assert.equal((await admin.delete(`/api/v1/contact-fields/${temp.id}`)).status, 204);
    assert.equal('temp' in (await contact()).body.customFields, false);
    await define({ key: 'temp', label: 'Temp again', type: 'text' });
    assert.equal(
      'temp' in (await contact()).body.customFields,
      false,
      'a new field of the same key starts empty',
    );
    const rows = await h.ctx.db.asOwner((tx) =>
      queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from contact_field_values where field_id = ${temp.id}`,
      ),
    );
    assert.equal(rows[0]?.n, 0);
  });

  test('the name: null clears it, too long is refused; a missing contact is 404', async () => {
    const cleared = await edit({ name: null });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.name, null);
    assertError(await edit({ name: 'x'.repeat(201) }), 400, 'validation_failed', 'long name');
    assert.equal((await edit({ name: 'Maria F. Souza' })).body.name, 'Maria F. Souza');
    assertError(
      await agent.patch('/api/v1/contacts/0190f000-0000-7000-8000-0000000000ab', { name: 'x' }),
      404,
      'not_found',
      'missing contact',
    );
  });

  test('an analyst can neither read nor edit contacts', async () => {
    assertError(await analyst.get(`/api/v1/contacts/${contactId}`), 403, 'forbidden', 'analyst reads');
    assertError(await edit({ name: 'Analyst was here' }, analyst), 403, 'forbidden', 'analyst edits');
  });
});

describe('audit and encryption', () => {
  test('definition changes and contact edits are audited, without the values', async () => {
    const log = await owner.get('/api/v1/audit-log?limit=200');
    assert.equal(log.status, 200, JSON.stringify(log.body));
    const actions = log.body.items.map((e: { action: string }) => e.action) as string[];
    for (const action of ['contact_field.created', 'contact_field.updated', 'contact_field.deleted']) {
      assert.ok(actions.includes(action), `${action} missing from ${actions.join(', ')}`);
    }
    const edits = log.body.items.filter((e: { action: string }) => e.action === 'contact.updated');
    assert.ok(edits.length >= 3, 'contact edits are audited');
    assert.ok(edits.every((e: { targetId: string }) => e.targetId === contactId));
    const text = JSON.stringify(edits);
    for (const secret of ['Maria', 'Acme', '1990-02-28']) {
      assert.ok(!text.includes(secret), `the audit log holds "${secret}"`);
    }
    assert.ok(text.includes('birthday'), 'the audit entry names the changed keys');
    // An edit that changes nothing writes nothing.
    const count = edits.length;
    await edit({ customFields: { plan: 'Pro' } });
    const again = (await owner.get('/api/v1/audit-log?limit=200')).body.items.filter(
      (e: { action: string }) => e.action === 'contact.updated',
    );
    assert.equal(again.length, count);
  });

  test('a dump of the values table holds none of the values in the clear', async () => {
    const secret = `Zanzibar-${Date.now()}`;
    await define({ key: 'nickname', label: 'Nickname', type: 'text' });
    const res = await edit({ customFields: { nickname: secret } });
    assert.equal(res.body.customFields.nickname, secret);
    for (const table of ['contact_field_values', 'contacts']) {
      const rows = await h.ctx.db.asOwner((tx) =>
        queryRows<{ dump: string }>(
          tx,
          sql`select ${sql.raw(`${table}::text`)} as dump from ${sql.raw(table)}`,
        ),
      );
      const all = rows.map((r) => r.dump).join('\n');
      assert.ok(all.length > 0, `${table} is empty`);
      for (const needle of [
        secret,
        Buffer.from(secret).toString('hex'),
        'Maria F. Souza',
        Buffer.from('Maria F. Souza').toString('hex'),
        '1990-02-28',
      ]) {
        assert.ok(!all.includes(needle), `${table} holds "${needle}" in the clear`);
      }
    }
    assert.ok(!h.logs.some((l) => l.includes(secret)), 'a value reached the log');
  });
});
