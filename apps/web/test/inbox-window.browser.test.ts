/**
 * Outside WhatsApp's 24-hour window the composer says why and offers the template picker; another
 * workspace's conversation is not found; on a phone the list and the conversation are two screens.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO } from '@parley/simulator';
import { signUpOwner } from '../../server/test/helpers/factories.ts';
import { connectDemoChannels, eventually } from '../../server/test/helpers/live-app.ts';
import { signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
let owner: Awaited<ReturnType<typeof signUpOwner>>;
before(async () => {
  if (skip) return;
  w = await startWebHarness({ live: true });
  owner = await signUpOwner(w.h.app, { workspaceName: 'Window Bakery' });
  await connectDemoChannels(owner);
});
after(async () => {
  if (!skip) await w.close();
});

async function conversationOf(name: string): Promise<string> {
  return eventually(async () => {
    const res = await owner.get('/api/v1/conversations?status=open');
    return (res.body.items as { id: string; contact?: { name: string } }[]).find(
      (c) => c.contact?.name === name,
    )?.id;
  }, `the conversation of ${name}`);
}

test('after 24 hours only a template can go: the composer says why and sends one', { skip }, async () => {
  const live = w.live!;
  const cleo = await live.simClient.createCustomer({ name: 'Cleo Late' });
  await live.simClient.customerSends(cleo.id, DEMO.phoneNumberId, {
    type: 'text',
    text: 'Where is my order?',
  });
  const id = await conversationOf('Cleo Late');
  const day = 25 * 3600_000;
  w.h.clock.advance(day);
  await live.simClient.advanceClock(day, DEMO.phoneNumberId);
  try {
    const { page, problems } = await w.newPage();
    await page.goto(`/w/${owner.workspaceId}/inbox/${id}`);
    await signIn(page, owner.email);
    await page.getByText('More than 24 hours have passed since the customer last wrote.').waitFor();
    assert.ok(await page.getByLabel('Reply to the customer').isDisabled());
    await page.getByRole('button', { name: 'Choose a template' }).click();
    const picker = page.getByRole('form', { name: 'Send a template' });
    await picker.getByLabel('Template', { exact: true }).selectOption('order_update');
    await picker.getByLabel('Value for {{1}}').fill('Cleo');
    await picker.getByLabel('Value for {{2}}').fill('A-777');
    await picker.getByLabel('Value for Track order {{1}}').fill('A-777');
    await picker.getByText('Hi Cleo, your order A-777 is on its way.').waitFor();
    await picker.getByText('https://example.com/track/A-777').waitFor();
    await w.screenshot(page, 'inbox-template-picker');
    await picker.getByRole('button', { name: 'Send the template' }).click();
    const sent = page.locator('li[data-type="template"]');
    await sent.getByText('Hi Cleo, your order A-777 is on its way.').waitFor();
    await sent.locator('.tick[data-status="delivered"], .tick[data-status="read"]').waitFor();
    const thread = await live.simClient.thread(cleo.id, DEMO.phoneNumberId);
    assert.ok(JSON.stringify(thread).includes('A-777'), 'the customer got the template');
    assert.deepEqual(problems, []);
  } finally {
    w.h.clock.advance(-day);
    await live.simClient.advanceClock(-day, DEMO.phoneNumberId);
  }
});

test(
  "another workspace's conversation URL shows not found; a phone shows one screen at a time",
  { skip },
  async () => {
    const live = w.live!;
    const dora = await live.simClient.createCustomer({ name: 'Dora Phone' });
    await live.simClient.customerSends(dora.id, DEMO.phoneNumberId, {
      type: 'text',
      text: 'hi from a phone',
    });
    const id = await conversationOf('Dora Phone');

    const other = await signUpOwner(w.h.app, { workspaceName: 'Other Shop' });
    const { page, problems } = await w.newPage();
    await page.goto(`/w/${other.workspaceId}/inbox/${id}`);
    await signIn(page, other.email);
    await page.getByText('This conversation does not exist, or it belongs to another workspace.').waitFor();
    assert.equal(await page.getByText('hi from a phone').count(), 0);
    await page.goto(`/w/${owner.workspaceId}/inbox/${id}`);
    await page.getByText('This workspace does not exist, or you are not a member of it.').waitFor();
    assert.equal(await page.getByText('hi from a phone').count(), 0);

    const phone = await w.newPage({ width: 390, height: 800 });
    await phone.page.goto(`/w/${owner.workspaceId}/inbox`);
    await signIn(phone.page, owner.email);
    const item = phone.page.getByRole('link', { name: /Dora Phone/ });
    await item.click();
    await phone.page.getByRole('list', { name: 'Messages' }).getByText('hi from a phone').waitFor();
    assert.equal(await item.isVisible(), false, 'the list is hidden while a conversation is open');
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling (${width}px)`);
    await phone.page.getByRole('link', { name: 'Back to the conversations' }).click();
    await item.waitFor();
    assert.deepEqual(problems, []);
    assert.deepEqual(phone.problems, []);
  },
);
