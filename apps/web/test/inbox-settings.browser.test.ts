/** Settings for the inbox: connect a channel by form, its health; a canned response through "/". */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO } from '@parley/simulator';
import { signUpOwner } from '../../server/test/helpers/factories.ts';
import { signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
before(async () => {
  if (!skip) w = await startWebHarness({ live: true });
});
after(async () => {
  if (!skip) await w.close();
});

test('connect a WhatsApp number by form, see its health; a canned response via /', { skip }, async () => {
  const live = w.live!;
  const owner = await signUpOwner(w.h.app, { workspaceName: 'Form Bakery' });
  const { page, problems } = await w.newPage({ height: 1000 });
  await page.goto(`/w/${owner.workspaceId}/settings/channels`);
  await signIn(page, owner.email);
  await page.getByText('No channel is connected yet.').waitFor();
  const form = page.getByRole('form', { name: 'Connect a channel with its credentials' });
  await form.getByLabel('Channel', { exact: true }).selectOption('whatsapp');
  await form.getByLabel('Name (optional)').fill('Bakery WhatsApp');
  await form.getByLabel('Phone number id').fill(DEMO.phoneNumberId);
  await form.getByLabel('WhatsApp Business Account id').fill(DEMO.wabaId);
  await form.getByLabel('App id').fill(DEMO.appId);
  await form.getByLabel('App secret').fill(DEMO.appSecret);
  await form.getByLabel('Verify token').fill(DEMO.verifyToken);
  await form.getByLabel('Access token').fill('sim-access-token');
  await form.getByRole('button', { name: 'Connect' }).click();
  await page.getByText('Bakery WhatsApp is connected.').waitFor();
  const card = page
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: /Bakery WhatsApp/ }) });
  await card.getByText('Active').waitFor();
  await card.getByRole('button', { name: 'Refresh health Bakery WhatsApp' }).click();
  await page.getByText('Health of Bakery WhatsApp refreshed.').waitFor();
  await card.getByText('GREEN').waitFor();
  await page.getByText('No dead letters.').waitFor();
  await w.screenshot(page, 'settings-channels');

  // A canned response, then "/" in the composer.
  await page.getByRole('link', { name: 'Canned responses' }).click();
  await page.getByLabel('Shortcut').fill('hours');
  await page.getByLabel('Title').fill('Opening hours');
  await page.getByLabel('Text', { exact: true }).fill('We are open 8:00–19:00, Monday to Saturday.');
  await page.getByRole('button', { name: 'Create the canned response' }).click();
  await page.getByRole('heading', { name: '/hours Opening hours' }).waitFor();

  const ana = await live.simClient.createCustomer({ name: 'Ana Form' });
  await live.simClient.customerSends(ana.id, DEMO.phoneNumberId, {
    type: 'text',
    text: 'When are you open?',
  });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
  await page.getByRole('link', { name: /Ana Form/ }).click();
  const reply = page.getByLabel('Reply to the customer');
  await reply.fill('/ho');
  await page.getByRole('option', { name: /\/hours Opening hours/ }).waitFor();
  await page.keyboard.press('Enter');
  assert.equal(await reply.inputValue(), 'We are open 8:00–19:00, Monday to Saturday.');
  await page.keyboard.press('Enter');
  await page.locator('li[data-type="text"]', { hasText: 'We are open 8:00–19:00' }).waitFor();
  await w.screenshot(page, 'inbox');
  assert.deepEqual(problems, []);
});
