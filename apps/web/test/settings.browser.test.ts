/**
 * Settings and account pages in a real browser against a real server: an invitation accepted in a
 * second browser, roles, API keys, password reset, languages.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PASSWORD, signUpOwner, uniqueEmail } from '../../server/test/helpers/factories.ts';
import { escapeRe, signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
before(async () => {
  if (!skip) w = await startWebHarness();
});
after(async () => {
  if (!skip) await w.close();
});

test(
  'invite a member, who accepts in another browser; roles show and hide what each may do',
  { skip },
  async () => {
    const owner = await signUpOwner(w.h.app, { workspaceName: 'Acme Sales' });
    const { page, problems } = await w.newPage();
    await page.goto(`/w/${owner.workspaceId}/settings/invitations`);
    await signIn(page, owner.email);
    const email = uniqueEmail('nora');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Role', { exact: true }).selectOption('agent');
    await page.getByRole('button', { name: 'Create the invitation' }).click();
    const link = await page.getByLabel(`Invitation link for ${email}`).inputValue();
    assert.match(link, new RegExp(`^${escapeRe(w.baseUrl)}/invite#token=inv_[0-9a-f]{32}_`));
    await page.getByRole('cell', { name: email }).waitFor();

    // The invited person, in a browser of their own.
    const guest = await w.newPage();
    await guest.page.goto(link);
    await guest.page.getByText(`Acme Sales invites ${email} to join as Agent.`).waitFor();
    assert.equal(new URL(guest.page.url()).hash, '', 'the token leaves the address bar');
    await guest.page.getByLabel('Your name').fill('Nora Agent');
    await guest.page.getByLabel('Choose a password').fill(PASSWORD);
    await guest.page.getByRole('button', { name: 'Create account and join' }).click();
    await guest.page.waitForURL(new RegExp(`/w/${owner.workspaceId}/inbox$`));
    await guest.page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();

    // An agent: no invitations or API keys in the menu, refused by URL, no role controls.
    await guest.page.getByRole('link', { name: 'Settings' }).click();
    const sections = guest.page.getByRole('navigation', { name: 'Settings sections' });
    await sections.getByRole('link', { name: 'Members' }).waitFor();
    assert.equal(await sections.getByRole('link', { name: 'Invitations' }).count(), 0);
    assert.equal(await sections.getByRole('link', { name: 'API keys' }).count(), 0);
    assert.ok(await guest.page.getByLabel('Workspace name').isDisabled());
    await sections.getByRole('link', { name: 'Members' }).click();
    await guest.page.getByRole('cell', { name: owner.email }).waitFor();
    assert.equal(await guest.page.getByRole('combobox', { name: /^Role of/ }).count(), 0);
    await guest.page.goto(`/w/${owner.workspaceId}/settings/api-keys`);
    await guest.page.getByText('Your role in this workspace does not allow this page.').waitFor();

    // The owner sees the new member, makes them an admin …
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('combobox', { name: 'Role of Nora Agent' }).selectOption('admin');
    await page.getByRole('button', { name: 'Save Role of Nora Agent' }).click();
    await page.getByText('Nora Agent is now Admin.').waitFor();
    await w.screenshot(page, 'settings-members');
    // … and removes them: their session ends.
    await page.getByRole('button', { name: 'Remove Nora Agent' }).click();
    await page
      .getByRole('group', { name: /^Remove Nora Agent from this workspace/ })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByText('Nora Agent was removed from the workspace.').waitFor();
    await guest.page.reload();
    await guest.page.waitForURL(/\/sign-in\?/);
    assert.deepEqual(problems, []);
    assert.deepEqual(guest.problems, []);
  },
);

test('API keys: create (shown once), list, revoke', { skip }, async () => {
  const owner = await signUpOwner(w.h.app, { workspaceName: 'Keys Inc' });
  const { page, problems } = await w.newPage();
  await page.goto(`/w/${owner.workspaceId}/settings/api-keys`);
  await signIn(page, owner.email);
  await page.getByLabel('Name', { exact: true }).fill('CRM sync');
  await page.getByLabel('Role', { exact: true }).selectOption('analyst');
  await page.getByRole('button', { name: 'Create the key' }).click();
  const token = await page.getByLabel('New API key “CRM sync”').inputValue();
  assert.match(token, /^prk_[0-9a-f]{32}_/);
  const viaKey = await fetch(`${w.baseUrl}/api/v1/workspace`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(viaKey.status, 200);
  await page.getByRole('cell', { name: 'CRM sync' }).waitFor();
  await page.getByRole('button', { name: 'Revoke the key CRM sync' }).click();
  await page
    .getByRole('group', { name: 'Revoke the key CRM sync' })
    .getByRole('button', { name: 'Revoke' })
    .click();
  await page.getByText('The key CRM sync was revoked.').waitFor();
  const revoked = await fetch(`${w.baseUrl}/api/v1/workspace`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(revoked.status, 401);
  assert.deepEqual(problems, []);
});

test(
  'password reset: ask for a link, open the link the server logs, set a new password',
  { skip },
  async () => {
    const owner = await signUpOwner(w.h.app, { workspaceName: 'Forgetful Ltd' });
    const { page, problems } = await w.newPage();
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email', { exact: true }).fill(owner.email);
    await page.getByRole('button', { name: 'Send the reset link' }).click();
    await page.getByText(`If an account exists for ${owner.email}`).waitFor();
    const line = [...w.h.logs].reverse().find((l) => l.includes('Password reset link: '));
    const link = /Password reset link: (\S+?)"/.exec(line ?? '')?.[1] ?? '';
    assert.ok(link.startsWith(`${w.baseUrl}/reset-password#token=`), `reset link in the log: ${link}`);

    await page.goto(link);
    const fresh = 'a whole new horse battery';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Repeat the new password').fill('something else entirely');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('The two passwords are not the same.').waitFor();
    await page.getByLabel('Repeat the new password').fill(fresh);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.waitForURL(/\/sign-in\?reason=reset$/);
    await page.getByText('Your password has been changed.').waitFor();
    await signIn(page, owner.email, fresh);
    await page.waitForURL(new RegExp(`/w/${owner.workspaceId}/inbox$`));
    assert.deepEqual(problems, []);
  },
);

test('Spanish from the browser, switchable to English', { skip }, async () => {
  const { page, problems } = await w.newPage({ locale: 'es-ES' });
  await page.goto('/sign-in');
  await page.getByRole('heading', { name: 'Inicia sesión en Parley' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
  await page.getByLabel('Idioma').selectOption('en');
  await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
  assert.deepEqual(problems, []);
});
