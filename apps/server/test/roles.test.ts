/**
 * Each role's rights, through HTTP. The expected status of every action is derived from
 * PERMISSIONS / can(), so the matrix, the server and docs/roles.md cannot drift apart.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { can, PERMISSIONS, renderRolesMatrix, type Permission, type Role } from '@parley/core';
import { seedChannel, seedInbound } from './helpers/conversations.ts';
import { addApiKey, addMember, signUpOwner, uniqueEmail } from './helpers/factories.ts';
import type { HttpClient, Response } from './helpers/http-client.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

let h: TestHarness;
before(async () => {
  h = await createTestApp();
  // The first user of the install becomes platform operator; keep that out of the workspaces below.
  await signUpOwner(h.app, { workspaceName: 'Operator home' });
});
after(async () => h.close());

type Owner = Awaited<ReturnType<typeof signUpOwner>>;

/** A workspace with something to act on: two agents, a pending invitation, an API key, a support grant. */
interface Fixture {
  owner: Owner;
  roleTarget: string;
  removeTarget: string;
  invitationId: string;
  apiKeyId: string;
  grantId: string;
  contactId: string;
}

async function makeFixture(): Promise<Fixture> {
  const owner = await signUpOwner(h.app);
  const roleTarget = await addMember(owner, 'agent');
  const removeTarget = await addMember(owner, 'agent');
  const inv = await owner.post('/api/v1/invitations', { email: uniqueEmail('pending'), role: 'agent' });
  assert.equal(inv.status, 201);
  const key = await owner.post('/api/v1/api-keys', { name: 'target', role: 'agent' });
  assert.equal(key.status, 201);
  const grant = await owner.post('/api/v1/support-access', { hours: 2, role: 'agent', reason: 'ticket' });
  assert.equal(grant.status, 201);
  const channel = await seedChannel(h, String(owner.workspaceId));
  const { contactId } = await seedInbound(h, channel);
  return {
    owner,
    roleTarget: String(roleTarget.userId),
    removeTarget: String(removeTarget.userId),
    invitationId: inv.body.invitation.id,
    apiKeyId: key.body.apiKey.id,
    grantId: grant.body.id,
    contactId,
  };
}

interface Action {
  name: string;
  permission: Permission;
  /** Status when allowed. */
  ok: number;
  /** Only a signed-in person may do it (an API key never may, whatever its role). */
  peopleOnly?: boolean;
  run: (c: HttpClient, f: Fixture) => Promise<Response>;
}

/** The protected actions, in an order where each leaves the next possible (2FA enforcement last). */
const ACTIONS: Action[] = [
  {
    name: 'read the workspace',
    permission: 'workspace.read',
    ok: 200,
    run: (c) => c.get('/api/v1/workspace'),
  },
  { name: 'list members', permission: 'members.read', ok: 200, run: (c) => c.get('/api/v1/members') },
  {
    name: 'change a role',
    permission: 'members.manage',
    ok: 200,
    run: (c, f) => c.patch(`/api/v1/members/${f.roleTarget}`, { role: 'analyst' }),
  },
  {
    name: 'remove a member',
    permission: 'members.manage',
    ok: 204,
    run: (c, f) => c.delete(`/api/v1/members/${f.removeTarget}`),
  },
  {
    name: 'list invitations',
    permission: 'members.manage',
    ok: 200,
    run: (c) => c.get('/api/v1/invitations'),
  },
  {
    name: 'invite',
    permission: 'members.manage',
    ok: 201,
    run: (c) => c.post('/api/v1/invitations', { email: uniqueEmail('invitee'), role: 'agent' }),
  },
  {
    name: 'revoke an invitation',
    permission: 'members.manage',
    ok: 204,
    run: (c, f) => c.delete(`/api/v1/invitations/${f.invitationId}`),
  },
  { name: 'list API keys', permission: 'api_keys.manage', ok: 200, run: (c) => c.get('/api/v1/api-keys') },
  {
    name: 'create an API key',
    permission: 'api_keys.manage',
    ok: 201,
    run: (c) => c.post('/api/v1/api-keys', { name: 'new', role: 'analyst' }),
  },
  {
    name: 'revoke an API key',
    permission: 'api_keys.manage',
    ok: 204,
    run: (c, f) => c.delete(`/api/v1/api-keys/${f.apiKeyId}`),
  },
  { name: 'read the audit log', permission: 'audit.read', ok: 200, run: (c) => c.get('/api/v1/audit-log') },
  {
    name: 'verify the audit log',
    permission: 'audit.read',
    ok: 200,
    run: (c) => c.post('/api/v1/audit-log/verify'),
  },
  {
    name: 'list support access',
    permission: 'support_access.manage',
    ok: 200,
    run: (c) => c.get('/api/v1/support-access'),
  },
  {
    name: 'grant support access',
    permission: 'support_access.manage',
    ok: 201,
    peopleOnly: true,
    run: (c) => c.post('/api/v1/support-access', { hours: 1, role: 'admin', reason: 'help' }),
  },
  {
    name: 'revoke support access',
    permission: 'support_access.manage',
    ok: 204,
    run: (c, f) => c.delete(`/api/v1/support-access/${f.grantId}`),
  },
  { name: 'list labels', permission: 'conversations.read', ok: 200, run: (c) => c.get('/api/v1/labels') },
  {
    name: 'set own availability',
    permission: 'conversations.write',
    ok: 200,
    peopleOnly: true,
    run: (c) => c.request('PUT', '/api/v1/me/availability', { available: false }),
  },
  {
    name: 'create a label',
    permission: 'inbox.manage',
    ok: 201,
    run: (c) => c.post('/api/v1/labels', { name: 'Follow-up' }),
  },
  {
    name: 'list contact fields',
    permission: 'conversations.read',
    ok: 200,
    run: (c) => c.get('/api/v1/contact-fields'),
  },
  {
    name: 'define a contact field',
    permission: 'contact_fields.manage',
    ok: 201,
    run: (c) => c.post('/api/v1/contact-fields', { key: 'plan', label: 'Plan', type: 'text' }),
  },
  {
    name: "correct a contact's name",
    permission: 'contacts.write',
    ok: 200,
    run: (c, f) => c.patch(`/api/v1/contacts/${f.contactId}`, { name: 'Corrected' }),
  },
  {
    name: 'list dead-lettered webhooks',
    permission: 'channels.manage',
    ok: 200,
    run: (c) => c.get('/api/v1/webhook-events'),
  },
  {
    name: 'rename the workspace',
    permission: 'workspace.update',
    ok: 200,
    run: (c) => c.patch('/api/v1/workspace', { name: 'Renamed' }),
  },
  {
    name: 'enforce 2FA',
    permission: 'workspace.update',
    ok: 200,
    run: (c) => c.patch('/api/v1/workspace', { require2fa: true }),
  },
];

interface ActorSpec {
  label: string;
  kind: 'member' | 'api_key';
  role: Role;
}

const ACTORS: ActorSpec[] = [
  { label: 'owner', kind: 'member', role: 'owner' },
  { label: 'admin', kind: 'member', role: 'admin' },
  { label: 'agent', kind: 'member', role: 'agent' },
  { label: 'analyst', kind: 'member', role: 'analyst' },
  { label: 'admin API key', kind: 'api_key', role: 'admin' },
  { label: 'agent API key', kind: 'api_key', role: 'agent' },
  { label: 'analyst API key', kind: 'api_key', role: 'analyst' },
];

function expectedStatus(actor: ActorSpec, action: Action): number {
  const allowed = can(actor.role, action.permission) && !(action.peopleOnly && actor.kind === 'api_key');
  return allowed ? action.ok : 403;
}

async function actorIn(f: Fixture, spec: ActorSpec): Promise<HttpClient> {
  if (spec.kind === 'member') return spec.role === 'owner' ? f.owner : addMember(f.owner, spec.role);
  if (spec.role === 'owner') throw new Error('API keys are never owners');
  return addApiKey(f.owner, spec.role);
}

for (const spec of ACTORS) {
  describe(`${spec.label}: rights follow the matrix`, () => {
    let f: Fixture;
    let actor: HttpClient;
    before(async () => {
      f = await makeFixture();
      actor = await actorIn(f, spec);
    });
    for (const action of ACTIONS) {
      const expected = expectedStatus(spec, action);
      test(`${action.name} (${action.permission}) → ${expected}`, async () => {
        const res = await action.run(actor, f);
        assert.equal(res.status, expected, `${spec.label} ${action.name}: ${JSON.stringify(res.body)}`);
        if (expected === 403) {
          assert.equal(res.body.error.code, 'forbidden');
        }
      });
    }
  });
}

test('every permission a route or use case enforces is exercised here', () => {
  const sources = [
    ...filesUnder(path.join(ROOT, 'packages/core/src')),
    ...filesUnder(path.join(ROOT, 'apps/server/src')),
  ];
  const enforced = new Set<string>();
  for (const file of sources) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/authorize\(\s*\w+\s*,\s*'([\w.]+)'\s*\)/g)) {
      if (m[1]) enforced.add(m[1]);
    }
  }
  const covered = new Set<string>([...ACTIONS.map((a) => a.permission), 'members.manage_owners']);
  for (const p of enforced) {
    assert.ok(p in PERMISSIONS, `${p} is enforced but not in PERMISSIONS`);
    assert.ok(covered.has(p), `${p} is enforced by the server but no action in roles.test.ts exercises it`);
  }
  assert.ok(enforced.size >= 7, `found only ${enforced.size} enforced permissions`);
});

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('owners', () => {
  test('an admin (person or key) cannot make an owner, demote or remove one, or invite one', async () => {
    const owner = await signUpOwner(h.app);
    const agent = await addMember(owner, 'agent');
    for (const admin of [await addMember(owner, 'admin'), await addApiKey(owner, 'admin')]) {
      const cases: [string, Promise<Response>][] = [
        ['promote to owner', admin.patch(`/api/v1/members/${agent.userId}`, { role: 'owner' })],
        ['demote the owner', admin.patch(`/api/v1/members/${owner.userId}`, { role: 'agent' })],
        ['remove the owner', admin.delete(`/api/v1/members/${owner.userId}`)],
        ['invite an owner', admin.post('/api/v1/invitations', { email: uniqueEmail('o'), role: 'owner' })],
      ];
      for (const [what, pending] of cases) {
        const res = await pending;
        assert.equal(res.status, 403, `${what}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'forbidden');
        assert.equal(res.body.error.details?.permission, 'members.manage_owners', what);
      }
    }
    const members = await owner.get('/api/v1/members');
    const roles = Object.fromEntries(
      members.body.items.map((m: { userId: string; role: string }) => [m.userId, m.role]),
    );
    assert.equal(roles[String(owner.userId)], 'owner');
    assert.equal(roles[String(agent.userId)], 'agent');
  });

  test('the last owner cannot be demoted or removed (409 last_owner); with two, one can go', async () => {
    const owner = await signUpOwner(h.app);
    for (const res of [
      await owner.patch(`/api/v1/members/${owner.userId}`, { role: 'admin' }),
      await owner.delete(`/api/v1/members/${owner.userId}`),
    ]) {
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'last_owner');
    }
    const second = await addMember(owner, 'owner');
    const demoted = await second.patch(`/api/v1/members/${owner.userId}`, { role: 'admin' });
    assert.equal(demoted.status, 200, JSON.stringify(demoted.body));
    assert.equal(demoted.body.role, 'admin');
    const last = await second.patch(`/api/v1/members/${second.userId}`, { role: 'admin' });
    assert.equal(last.status, 409);
    assert.equal(last.body.error.code, 'last_owner');
    const removeLast = await second.delete(`/api/v1/members/${second.userId}`);
    assert.equal(removeLast.status, 409);
    assert.equal(removeLast.body.error.code, 'last_owner');
  });

  test('an API key never has the owner role', async () => {
    const owner = await signUpOwner(h.app);
    const res = await owner.post('/api/v1/api-keys', { name: 'root', role: 'owner' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'validation_failed');
  });
});

test('an analyst reads the workspace and its members, and changes nothing', async () => {
  const f = await makeFixture();
  const analyst = await addMember(f.owner, 'analyst');
  const state = async () => ({
    workspace: (await f.owner.get('/api/v1/workspace')).body,
    members: (await f.owner.get('/api/v1/members')).body,
    invitations: (await f.owner.get('/api/v1/invitations')).body,
    apiKeys: (await f.owner.get('/api/v1/api-keys')).body,
    grants: (await f.owner.get('/api/v1/support-access')).body,
  });
  const before = await state();
  assert.equal((await analyst.get('/api/v1/workspace')).status, 200);
  const members = await analyst.get('/api/v1/members');
  assert.equal(members.status, 200);
  assert.equal(members.body.items.length, before.members.items.length);
  for (const action of ACTIONS) {
    const res = await action.run(analyst, f);
    if (can('analyst', action.permission)) {
      assert.ok(action.permission.endsWith('.read'), `analyst may ${action.name}, which is not a read`);
      assert.equal(res.status, action.ok, `analyst ${action.name}: ${JSON.stringify(res.body)}`);
    } else {
      assert.equal(res.status, 403, `analyst ${action.name}: ${JSON.stringify(res.body)}`);
    }
  }
  assert.deepEqual(await state(), before);
});

test("removing a member ends that member's sessions", async () => {
  const owner = await signUpOwner(h.app);
  const agent = await addMember(owner, 'agent');
  assert.equal((await agent.get('/api/v1/auth/me')).status, 200);
  const removed = await owner.delete(`/api/v1/members/${agent.userId}`);
  assert.equal(removed.status, 204);
  const me = await agent.get('/api/v1/auth/me');
  assert.equal(me.status, 401, JSON.stringify(me.body));
});

test('docs/roles.md contains exactly the matrix renderRolesMatrix() prints', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/roles.md'), 'utf8');
  const matrix = renderRolesMatrix();
  assert.ok(
    doc.includes(matrix),
    `docs/roles.md is out of date; paste this matrix into it:\n\n${matrix}\n\n(print it with: node --import tsx -e "import('@parley/core').then((c) => console.log(c.renderRolesMatrix()))")`,
  );
});
