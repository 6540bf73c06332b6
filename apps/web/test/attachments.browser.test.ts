/**
 * Attaching a file in the composer, against a live server and the simulator: the agent picks a
 * PNG with the paperclip, sees the chip, types a caption, sends; the bubble shows the picture and
 * the simulated customer's phone receives the same bytes. A forbidden file gets a plain refusal.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEMO } from '@parley/simulator';
import { placeholderPng } from '@parley/simulator/media-store';
import { signUpOwner } from '../../server/test/helpers/factories.ts';
import { connectDemoChannels, eventually } from '../../server/test/helpers/live-app.ts';
import { signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
let owner: Awaited<ReturnType<typeof signUpOwner>>;
before(async () => {
  if (skip) return;
  w = await startWebHarness({ live: true });
  owner = await signUpOwner(w.h.app, { workspaceName: 'Picture Bakery' });
  await connectDemoChannels(owner);
});
after(async () => {
  if (!skip) await w.close();
});

test('the agent attaches a PNG with a caption and sends it; the customer receives it', { skip }, async () => {
  const live = w.live!;
  const { page, problems } = await w.newPage();
  const carla = await live.simClient.createCustomer({ name: 'Carla Camera' });
  await live.simClient.customerSends(carla.id, DEMO.phoneNumberId, {
    type: 'text',
    text: 'Can I see the cake?',
  });
  await page.goto(`/w/${owner.workspaceId}/inbox`);
  await signIn(page, owner.email);
  const item = page.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Carla Camera/ });
  await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
  await item.waitFor();
  // The list may re-render as the event stream catches up; click until the conversation opens.
  const heading = page.getByRole('heading', { name: /Carla Camera/, level: 2 });
  for (let i = 0; i < 5 && !(await heading.isVisible()); i++) {
    await item.click();
    await heading.waitFor({ timeout: 3000 }).catch(() => undefined);
  }
  await heading.waitFor();

  // A forbidden type is refused in plain words, and nothing is sent.
  const [svgChooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Attach a file' }).click(),
  ]);
  await svgChooser.setFiles({
    name: 'logo.svg',
    mimeType: 'image/svg+xml',
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
  });
  await page.getByRole('group', { name: /Attached file: logo\.svg/ }).waitFor();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'This kind of file cannot be sent.' }).waitFor();
  await page.getByRole('button', { name: 'Remove logo.svg' }).click();
  await page.getByRole('group', { name: /Attached file/ }).waitFor({ state: 'detached' });

  // The PNG, with a caption typed in the reply box.
  const png = placeholderPng(48, [30, 90, 200]);
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Attach a file' }).click(),
  ]);
  await chooser.setFiles({ name: 'cake.png', mimeType: 'image/png', buffer: png });
  const chip = page.getByRole('group', { name: /Attached file: cake\.png/ });
  await chip.waitFor();
  await chip.getByText(`${png.length} bytes`).waitFor();
  await page.getByLabel('Reply to the customer').fill('Here it is!');
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  const bubble = page.locator('li[data-type="image"]');
  await bubble.waitFor();
  const img = bubble.getByRole('img', { name: 'Here it is!' });
  await img.waitFor();
  await page.waitForFunction(
    (el) => (el as HTMLImageElement | null)?.naturalWidth === 48,
    await img.elementHandle(),
  );
  await chip.waitFor({ state: 'detached' });

  // The simulated customer's phone has the same picture and caption.
  const received = await eventually(async () => {
    const thread = await live.simClient.thread(carla.id, DEMO.phoneNumberId);
    return thread.messages.find((m) => m.direction === 'out' && m.view.kind === 'media');
  }, 'the customer to receive the picture');
  assert.equal(received.view.caption, 'Here it is!');
  const id = received.view.media?.url?.replace(/^media:/, '') ?? '';
  const onPhone = Buffer.from(await (await fetch(`${live.sim.url}/phone/media/${id}`)).arrayBuffer());
  assert.ok(onPhone.equals(png), 'the customer received different bytes');
  assert.deepEqual(problems, [], 'no alert, no script error');
});
