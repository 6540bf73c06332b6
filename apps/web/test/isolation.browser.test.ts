/**
 * Isolation and layout in a real browser: another workspace's URLs, HTML in names rendered as
 * text, the 390 px phone layout.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addMember, signUpOwner, uniqueEmail } from '../../server/test/helpers/factories.ts';
import { signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
before(async () => {
  if (!skip) w = await startWebHarness();
});
after(async () => {
  if (!skip) await w.close();
});

test("another workspace's URL shows not-found, never its data", { skip }, async () => {
  const alpha = await signUpOwner(w.h.app, { workspaceName: 'Alpha Ltd' });
  const bravo = await signUpOwner(w.h.app, { workspaceName: 'Bravo Secret Co' });
  const bravoId = bravo.workspaceId ?? '';
  const bInvite = await bravo.post('/api/v1/invitations', {
    email: uniqueEmail('bravo-guest'),
    role: 'agent',
  });
  assert.equal(bInvite.status, 201);
  const { page, problems } = await w.newPage();
  await page.goto('/sign-in');
  await signIn(page, alpha.email);
  await page.waitForURL(new RegExp(`/w/${alpha.workspaceId}/inbox$`));

  for (const section of ['workspace', 'members', 'invitations', 'api-keys']) {
    await page.goto(`/w/${bravoId}/settings/${section}`);
    await page.getByText('This workspace does not exist, or you are not a member of it.').waitFor();
    const text = await page.locator('body').innerText();
    for (const secret of ['Bravo Secret Co', bravo.email, bInvite.body.invitation.email, bravoId]) {
      assert.ok(!text.includes(secret), `${section}: the page shows B's ${secret}`);
    }
  }
  // The server is the authority: asked directly from the page, B's data is not found.
  const answers = await page.evaluate(async (bId: string) => {
    const out: [number, string][] = [];
    for (const p of ['/api/v1/workspace', '/api/v1/members', '/api/v1/invitations', '/api/v1/api-keys']) {
      const res = await fetch(p, { headers: { 'x-workspace-id': bId } });
      out.push([res.status, ((await res.json()) as { error?: { code: string } }).error?.code ?? 'data']);
    }
    return out;
  }, bravoId);
  assert.deepEqual(answers, Array(4).fill([404, 'not_found']));
  assert.deepEqual(problems, []);
});

test('a workspace name holding HTML is shown as text, never run', { skip }, async () => {
  const name = '<img src=x onerror=alert(1)>';
  const owner = await signUpOwner(w.h.app, { workspaceName: name });
  const invite = await owner.post('/api/v1/invitations', { email: uniqueEmail('xss'), role: 'agent' });
  const { page, problems } = await w.newPage();
  await page.goto(`/w/${owner.workspaceId}/settings/workspace`);
  await signIn(page, owner.email);
  assert.equal(await page.getByLabel('Workspace name').inputValue(), name);
  const switcher = page.getByLabel('Workspace', { exact: true });
  assert.equal(await switcher.locator('option:checked').textContent(), name);
  // The invitation page shows it in a sentence.
  const guest = await w.newPage();
  await guest.page.goto(String(invite.body.url));
  await guest.page.getByText(`${name} invites`).waitFor();
  for (const p of [page, guest.page]) {
    assert.equal(await p.locator('img').count(), 0, 'no <img> element was created');
  }
  await page.waitForTimeout(200);
  assert.deepEqual(problems, []);
  assert.deepEqual(guest.problems, []);
});

test('at 390 px the sidebar folds behind a menu button and nothing scrolls sideways', { skip }, async () => {
  const owner = await signUpOwner(w.h.app, { workspaceName: 'Pocket Store' });
  await addMember(owner, 'agent');
  const { page, problems } = await w.newPage({ width: 390, height: 844 });
  await page.goto(`/w/${owner.workspaceId}/settings/members`);
  await signIn(page, owner.email);
  await page.getByRole('cell', { name: owner.email }).waitFor();
  const menu = page.getByRole('button', { name: 'Open the menu' });
  assert.ok(await menu.isVisible());
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), false);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scroll');
  await w.screenshot(page, 'phone');

  await menu.click();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  assert.equal(
    await page.getByRole('button', { name: 'Close the menu' }).getAttribute('aria-expanded'),
    'true',
  );
  await page.keyboard.press('Escape');
  await nav.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'menu-button');
  await menu.click();
  await nav.getByRole('link', { name: 'Inbox' }).click();
  await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
  assert.equal(await nav.isVisible(), false, 'the drawer closes after navigating');
  assert.deepEqual(problems, []);
});
