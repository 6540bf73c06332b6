/**
 * WhatsApp Embedded Signup in a real browser: Settings → Channels loads the SDK the server names
 * (the simulator's stand-in for Meta's), FB.login opens the simulated Meta popup, the popup posts
 * WA_EMBEDDED_SIGNUP to the page and FB.login's callback gets a code, the page finishes the signup
 * through the API. And the way out: the person cancels or closes the popup.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { signUpOwner } from '../../server/test/helpers/factories.ts';
import { signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
before(async () => {
  if (!skip) w = await startWebHarness({ live: true });
});
after(async () => {
  if (!skip) await w.close();
});

/** Signs a new owner in on Settings → Channels; returns the page and its workspace. */
async function openChannels(workspaceName: string) {
  const owner = await signUpOwner(w.h.app, { workspaceName });
  const { page, problems } = await w.newPage({ height: 1000 });
  await page.goto(`/w/${owner.workspaceId}/settings/channels`);
  await signIn(page, owner.email);
  await page.getByText('No channel is connected yet.').waitFor();
  return { owner, page, problems };
}

const section = (page: Page) => page.getByRole('region', { name: 'Connect WhatsApp with Embedded Signup' });

/** Clicks "Connect with Facebook" and returns the popup the SDK opens. */
async function startSignup(page: Page): Promise<Page> {
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    section(page).getByRole('button', { name: 'Connect with Facebook' }).click(),
  ]);
  await popup.waitForLoadState();
  assert.equal(new URL(popup.url()).origin, w.live!.sim.url, 'the popup is served by the simulator');
  popup.setDefaultTimeout(15_000);
  return popup;
}

test(
  'an admin connects a new WhatsApp number with Embedded Signup; it shows connected and healthy',
  { skip },
  async () => {
    const { owner, page, problems } = await openChannels('Signup Bakery');
    // The page may load the simulator's SDK (script-src) and frames nothing of it (the dialog is a popup).
    const csp = (await page.request.get('/')).headers()['content-security-policy'] ?? '';
    assert.match(csp, new RegExp(`script-src 'self' ${w.live!.sim.url.replace(/[.]/g, '\\.')}(;|$)`));
    assert.doesNotMatch(csp, /frame-src/);
    const popup = await startSignup(page);
    await popup.getByRole('heading', { name: /Connect WhatsApp to/ }).waitFor();
    // Messages from any origin but the configured one are ignored: a forged FINISH (another
    // number) and a forged CANCEL posted from the page's own origin change nothing.
    for (const [event, data] of [
      ['FINISH', { phone_number_id: '999999999', waba_id: '999999999' }],
      ['CANCEL', { current_step: 'PHONE_NUMBER_SETUP' }],
    ] as const) {
      const forged = JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event, data, version: '3' });
      await page.evaluate((m) => window.postMessage(m, '*'), forged);
    }
    // The business portfolio list is filled from the simulator's state; create a new one.
    await popup.getByLabel('Business portfolio').selectOption({ label: 'Create a new business portfolio' });
    await popup.getByLabel('New business name').fill('Signup Bakery');
    await popup.getByRole('button', { name: 'Continue' }).click();
    await popup.getByLabel('WhatsApp display name').fill('Signup Bakery WA');
    await popup.getByLabel('Business phone number (digits)').fill('15550001234');
    await popup.getByRole('button', { name: 'Finish' }).click();
    await popup.getByText('Your WhatsApp Business account is connected.').waitFor();
    const ids = (await popup.locator('#ids').textContent()) ?? '';
    const phoneNumberId = /phone_number_id (\d+)/.exec(ids)?.[1];
    assert.ok(phoneNumberId, ids);
    // The button closes its own window, so the click may end with its page gone (CI saw that):
    // what counts is that the window closes.
    await Promise.all([
      popup.waitForEvent('close'),
      popup
        .getByRole('button', { name: 'Close' })
        .click()
        .catch((err: Error) => {
          if (!/closed/.test(err.message)) throw err;
        }),
    ]);

    await page.getByText('Signup Bakery WA is connected.').waitFor();
    const card = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: /Signup Bakery WA/ }) });
    await card.getByText('Active').waitFor();
    await card.getByText(phoneNumberId).waitFor();
    assert.equal(await section(page).getByRole('alert').count(), 0, 'the forged CANCEL was believed');
    await card.getByRole('button', { name: 'Refresh health Signup Bakery WA' }).click();
    await page.getByText('Health of Signup Bakery WA refreshed.').waitFor();
    await card.getByText('GREEN').waitFor();
    assert.equal(await card.locator('dd').first().textContent(), 'Valid');

    // The server agrees: one active WhatsApp channel, for the number the popup created.
    const list = await owner.get('/api/v1/channels');
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].kind, 'whatsapp');
    assert.equal(list.body.items[0].accountId, phoneNumberId);
    assert.equal(list.body.items[0].status, 'active');
    await w.screenshot(page, 'settings-embedded-signup');
    assert.deepEqual(problems, []);
  },
);

test('cancelling the popup, or closing it, says so and connects nothing', { skip }, async () => {
  const { owner, page, problems } = await openChannels('Cancel Bakery');
  const es = section(page);

  const popup = await startSignup(page);
  await popup.getByRole('button', { name: 'Continue' }).click();
  await popup.getByRole('button', { name: 'Cancel' }).click();
  await es.getByRole('alert').filter({ hasText: 'Embedded Signup was cancelled.' }).waitFor();

  // Closed with the window's own button: nothing is posted, the SDK notices the window is gone.
  const again = await startSignup(page);
  await es.getByRole('alert').waitFor({ state: 'detached' });
  await again.close();
  await es.getByRole('alert').filter({ hasText: 'Embedded Signup was cancelled.' }).waitFor();

  await page.getByText('No channel is connected yet.').waitFor();
  const list = await owner.get('/api/v1/channels');
  assert.deepEqual(list.body.items, []);
  assert.deepEqual(problems, []);
});
