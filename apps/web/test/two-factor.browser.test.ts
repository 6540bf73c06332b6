/**
 * Two-factor authentication in a real browser against a real server: enrolment with the QR code,
 * sign-in with a TOTP code and with a recovery code, new codes, turning it off, and a workspace
 * that requires 2FA sending a member to enrolment.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addMember, PASSWORD, signUpOwner } from '../../server/test/helpers/factories.ts';
import { signIn, signOut, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
before(async () => {
  if (!skip) w = await startWebHarness();
});
after(async () => {
  if (!skip) await w.close();
});

test(
  '2FA: enrol with the QR code, sign in with a TOTP code and with a recovery code, new codes, turn off',
  { skip },
  async () => {
    const owner = await signUpOwner(w.h.app, { workspaceName: 'Two Factor Co' });
    const { page, problems } = await w.newPage();
    await page.goto(`/w/${owner.workspaceId}/settings/security`);
    await signIn(page, owner.email);
    await page.waitForURL(/\/settings\/security$/);

    await page.getByText('Two-factor authentication is off for your account.').waitFor();
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const qr = page.getByRole('img', { name: 'QR code to add Parley to your authenticator app' });
    await qr.waitFor();
    assert.ok(((await qr.locator('path').getAttribute('d')) ?? '').length > 500, 'the QR code has modules');
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    await w.screenshot(page, 'two-factor-setup');

    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not valid' }).waitFor();
    await page.getByLabel('Authentication code').fill(await w.totp(secret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    const codes = await page.locator('ol.codes code').allTextContents();
    assert.equal(codes.length, 10);
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await page.getByText('Two-factor authentication is on for your account.').waitFor();

    // Sign out, then back in with a code from the app (a later 30-second step: codes work once).
    await signOut(page);
    await signIn(page, owner.email);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    w.h.clock.advance(30_000);
    await page.getByLabel('Authentication code').fill(await w.totp(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(new RegExp(`/w/${owner.workspaceId}/inbox$`));

    // And with a recovery code.
    await signOut(page);
    await signIn(page, owner.email);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(codes[0] ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(new RegExp(`/w/${owner.workspaceId}/inbox$`));
    await page.getByText('Recovery codes left: 9.').waitFor();

    // New recovery codes replace the old ones.
    await page.goto(`/w/${owner.workspaceId}/settings/security`);
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    w.h.clock.advance(30_000);
    await page.getByLabel('Authentication code').fill(await w.totp(secret));
    await page.locator('form').getByRole('button', { name: 'Make new recovery codes' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    const fresh = await page.locator('ol.codes code').allTextContents();
    assert.equal(fresh.length, 10);
    assert.ok(!fresh.includes(codes[1] ?? ''), 'the new codes are new');
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();

    // Turn it off: password and a current code.
    await page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    w.h.clock.advance(30_000);
    await page.getByLabel('Authentication code').fill(await w.totp(secret));
    await page.locator('form').getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await page.getByText('Two-factor authentication is off for your account.').waitFor();
    const me = await page.evaluate(
      async () => (await (await fetch('/api/v1/auth/me')).json()) as { user: { twoFactorEnabled: boolean } },
    );
    assert.equal(me.user.twoFactorEnabled, false);
    assert.deepEqual(problems, []);
  },
);

test(
  'a workspace that requires 2FA sends a member without it to enrolment, then lets them in',
  { skip },
  async () => {
    const owner = await signUpOwner(w.h.app, { workspaceName: 'Strict Bank' });
    const member = await addMember(owner, 'agent');
    const { page, problems } = await w.newPage();
    await page.goto(`/w/${owner.workspaceId}/settings/workspace`);
    await signIn(page, owner.email);
    await page.getByLabel('Require two-factor authentication for every member').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Workspace saved.').waitFor();

    const other = await w.newPage();
    await other.page.goto('/sign-in');
    await signIn(other.page, member.email);
    await other.page.waitForURL(new RegExp(`/w/${owner.workspaceId}/settings/security\\?required=1$`));
    await other.page
      .getByText('This workspace requires two-factor authentication. Set it up to continue.')
      .waitFor();
    await other.page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = ((await other.page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    await other.page.getByLabel('Authentication code').fill(await w.totp(secret));
    await other.page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await other.page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await other.page.waitForURL(new RegExp(`/w/${owner.workspaceId}/inbox$`));
    await other.page.getByRole('link', { name: 'Settings' }).click();
    await other.page.getByLabel('Workspace name').waitFor();
    assert.deepEqual(problems, []);
    assert.deepEqual(other.problems, []);
  },
);
