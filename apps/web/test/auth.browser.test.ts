/**
 * Sign-in in a real browser against a real server: deep links, focus order, wrong
 * passwords, ended sessions.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signUpOwner } from '../../server/test/helpers/factories.ts';
import { signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
before(async () => {
  if (!skip) w = await startWebHarness();
});
after(async () => {
  if (!skip) await w.close();
});

test(
  'sign-in: a deep link asks to sign in, refuses a wrong password, then opens the page asked for',
  { skip },
  async () => {
    const owner = await signUpOwner(w.h.app, { workspaceName: 'Acme Support' });
    const { page, problems } = await w.newPage();
    await page.goto('/settings/members');
    await page.waitForURL(/\/sign-in\?next=%2Fsettings%2Fmembers$/);
    await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();

    // Focus order: email (focused on load) → password → sign in → forgot password.
    const focused = () =>
      page.evaluate(
        () => document.activeElement?.getAttribute('name') ?? document.activeElement?.textContent,
      );
    assert.equal(await focused(), 'email');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'password');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Sign in');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Forgot your password?');
    await w.screenshot(page, 'sign-in');

    await signIn(page, owner.email, 'not my password at all');
    await page.getByRole('alert').filter({ hasText: 'The email or password is incorrect.' }).waitFor();

    await signIn(page, owner.email);
    await page.waitForURL(new RegExp(`/w/${owner.workspaceId}/settings/members$`));
    await page.getByRole('cell', { name: owner.email }).waitFor();
    assert.equal(await page.getByLabel('Workspace', { exact: true }).inputValue(), owner.workspaceId);
    // The page heading takes the focus after an in-app navigation.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
    assert.deepEqual(problems, []);
  },
);

test(
  'an ended session sends the user to sign in with a message, and back to the same page after',
  { skip },
  async () => {
    const owner = await signUpOwner(w.h.app, { workspaceName: 'Sleepy Shop' });
    const { page, problems } = await w.newPage();
    await page.goto(`/w/${owner.workspaceId}/settings/members`);
    await signIn(page, owner.email);
    await page.getByRole('cell', { name: owner.email }).waitFor();

    w.h.clock.advance(9 * 60 * 60_000); // past the 8-hour idle timeout
    await page.getByRole('link', { name: 'Invitations' }).click();
    await page.waitForURL(/\/sign-in\?/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('reason'), 'expired');
    assert.equal(url.searchParams.get('next'), `/w/${owner.workspaceId}/settings/invitations`);
    await page.getByText('Your session has ended. Sign in again to continue where you were.').waitFor();

    await signIn(page, owner.email);
    await page.waitForURL(new RegExp(`/w/${owner.workspaceId}/settings/invitations$`));
    await page.getByRole('heading', { name: 'Pending invitations' }).waitFor();
    assert.deepEqual(problems, []);
  },
);
