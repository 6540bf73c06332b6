/**
 * The inbox against a live server and the simulator: a customer's message arrives without a reload,
 * the reply's ticks go to read, and hostile customer text stays text.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO } from '@parley/simulator';
import { signUpOwner } from '../../server/test/helpers/factories.ts';
import { connectDemoChannels } from '../../server/test/helpers/live-app.ts';
import { signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
/** One workspace with the simulator's number, page and Instagram account (they connect once). */
let owner: Awaited<ReturnType<typeof signUpOwner>>;
before(async () => {
  if (skip) return;
  w = await startWebHarness({ live: true });
  owner = await signUpOwner(w.h.app, { workspaceName: 'Live Bakery' });
  await connectDemoChannels(owner);
});
after(async () => {
  if (!skip) await w.close();
});

test('a customer writes, the agent sees it live, replies, and the ticks turn to read', { skip }, async () => {
  const live = w.live!;
  const { page, problems } = await w.newPage();
  await page.goto(`/w/${owner.workspaceId}/inbox`);
  await signIn(page, owner.email);
  await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
  await page.getByText('No conversations here.').waitFor();

  const rosa = await live.simClient.createCustomer({ name: 'Rosa Live' });
  await live.simClient.customerSends(rosa.id, DEMO.phoneNumberId, {
    type: 'text',
    text: 'Hello, is the shop open?',
  });
  // No reload: the event stream brings it.
  const item = page.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Rosa Live/ });
  await item.waitFor();
  await item.getByText('1 unread').waitFor();
  await item.click();
  await page.getByRole('heading', { name: /Rosa Live/, level: 2 }).waitFor();
  await page
    .getByRole('article', { name: 'From the customer' })
    .getByText('Hello, is the shop open?')
    .waitFor();
  // Opening it marks it read.
  await item.getByText('1 unread').waitFor({ state: 'detached' });

  // A second message while the conversation is open appears in the timeline and is announced.
  await live.simClient.customerSends(rosa.id, DEMO.phoneNumberId, {
    type: 'text',
    text: 'And do you sell cakes?',
  });
  await page
    .getByRole('status')
    .filter({ hasText: 'New message from Rosa Live: And do you sell cakes?' })
    .waitFor();

  await page.keyboard.press('r');
  const reply = page.getByLabel('Reply to the customer');
  assert.equal(await reply.evaluate((el) => el === document.activeElement), true, 'r focuses the reply box');
  await reply.fill('Yes, until 7 pm. Cakes too!');
  await page.keyboard.press('Enter');
  const mine = page.locator('li[data-type="text"]', { hasText: 'Yes, until 7 pm. Cakes too!' });
  await mine.waitFor();
  const tick = mine.locator('.tick');
  await page.waitForFunction(
    (el) => ['delivered', 'read'].includes(el?.getAttribute('data-status') ?? ''),
    await tick.elementHandle(),
  );
  if ((await tick.getAttribute('data-status')) !== 'read')
    await live.simClient.customerReads(rosa.id, DEMO.phoneNumberId);
  await mine.locator('.tick[data-status="read"]').waitFor();
  assert.equal(await mine.locator('.tick').innerText(), '✓✓\nRead');

  // A private note looks different and never reaches the customer.
  await page.keyboard.press('Escape');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('n');
  await page.getByLabel('Private note for your team').fill('VIP customer, be nice');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page
    .getByRole('article', { name: /^Private note by/ })
    .getByText('VIP customer, be nice')
    .waitFor();
  const thread = await live.simClient.thread(rosa.id, DEMO.phoneNumberId);
  assert.ok(!JSON.stringify(thread).includes('VIP customer'), 'notes stay private');

  await w.screenshot(page, 'inbox-conversation');
  assert.deepEqual(problems, []);
});

test('hostile customer text is shown as text: no HTML, no javascript: links', { skip }, async () => {
  const live = w.live!;
  const { page, problems } = await w.newPage();
  await page.goto(`/w/${owner.workspaceId}/inbox`);
  await signIn(page, owner.email);
  const mal = await live.simClient.createCustomer({ name: 'Mallory <b>bold</b>' });
  const payload =
    '<img src=x onerror=alert(1)> javascript:alert(2) [click](javascript:alert(3)) https://example.com/ok';
  await live.simClient.customerSends(mal.id, DEMO.phoneNumberId, { type: 'text', text: payload });
  const item = page.getByRole('link', { name: /Mallory <b>bold<\/b>/ });
  await item.waitFor();
  await item.click();
  const bubble = page.getByRole('article', { name: 'From the customer' }).last();
  await bubble.getByText('<img src=x onerror=alert(1)>', { exact: false }).waitFor();
  assert.equal(await page.locator('.timeline img').count(), 0, 'no image element from customer text');
  assert.equal(await page.locator('a[href^="javascript:"]').count(), 0, 'no javascript: link');
  assert.equal(await page.locator('.timeline b').count(), 0);
  const link = bubble.getByRole('link', { name: 'https://example.com/ok' });
  assert.equal(await link.getAttribute('href'), 'https://example.com/ok');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  await page.waitForTimeout(300);
  assert.deepEqual(problems, [], 'no alert, no script error');
});
