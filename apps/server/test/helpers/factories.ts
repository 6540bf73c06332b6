import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Role } from '@parley/core';
import { HttpClient } from './http-client.ts';
import type { TestApp } from './test-app.ts';

export const PASSWORD = 'correct horse battery staple';

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.test`;
}

/** Signs up a new owner with a new workspace; the client is signed in and scoped to it. */
export async function signUpOwner(app: TestApp, opts: { email?: string; workspaceName?: string } = {}) {
  const client = new HttpClient(app);
  const email = opts.email ?? uniqueEmail('owner');
  const res = await client.post('/api/v1/auth/signup', {
    email,
    password: PASSWORD,
    name: 'Owner',
    workspaceName: opts.workspaceName ?? `Workspace ${randomBytes(3).toString('hex')}`,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  client.workspaceId = res.body.workspaces[0].workspaceId;
  client.userId = res.body.user.id;
  return Object.assign(client, { email });
}

export async function signIn(app: TestApp, email: string, password = PASSWORD): Promise<HttpClient> {
  const client = new HttpClient(app);
  const res = await client.post('/api/v1/auth/login', { email, password });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  if (res.body.status === 'signed_in') {
    client.userId = res.body.user.id;
    client.workspaceId = res.body.workspaces[0]?.workspaceId ?? null;
  }
  return client;
}

/** Invites a new person with `role` into the owner's workspace; returns them signed in. */
export async function addMember(owner: HttpClient, role: Role) {
  const email = uniqueEmail(role);
  const inv = await owner.post('/api/v1/invitations', { email, role });
  assert.equal(inv.status, 201, JSON.stringify(inv.body));
  const anon = new HttpClient(owner.app);
  const accepted = await anon.post('/api/v1/invitations/accept', {
    token: inv.body.token,
    name: role,
    password: PASSWORD,
  });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  const member = await signIn(owner.app, email);
  member.workspaceId = owner.workspaceId;
  return Object.assign(member, { email });
}

/** An API key client with `role` in the owner's workspace. */
export async function addApiKey(owner: HttpClient, role: Exclude<Role, 'owner'>) {
  const res = await owner.post('/api/v1/api-keys', { name: `${role} key`, role });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return Object.assign(HttpClient.withApiKey(owner.app, res.body.token), {
    apiKeyId: res.body.apiKey.id as string,
  });
}
