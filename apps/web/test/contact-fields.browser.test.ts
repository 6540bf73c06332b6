/**
 * Custom contact fields in the browser: an admin defines them in Settings, an agent fills them in
 * (and corrects the name) in the contact panel of a conversation, and a reload shows them saved.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seedChannel, seedInbound } from '../../server/test/helpers/conversations.ts';
import { addMember, signUpOwner } from '../../server/test/helpers/factories.ts';
import { signIn, skip, startWebHarness, type WebHarness } from './helpers/web-harness.ts';

let w: WebHarness;
before(async () => {
  if (!skip) w = await startWebHarness();
});
after(async () => {
  if (!skip) await w.close();
});

test(
  'an admin defines contact fields; an agent edits them in the contact panel; a reload shows them',
  { skip },
  async () => {
    const owner = await signUpOwner(w.h.app, { workspaceName: 'Field Bakery' });
    const ws = String(owner.workspaceId);
    const admin = await addMember(owner, 'admin');
    const agent = await addMember(owner, 'agent');
    const channel = await seedChannel(w.h, ws);
    const { conversationId, contactId } = await seedInbound(w.h, channel, { profileName: 'Lucia Prueba' });

    // The admin defines a select field and a number field in Settings.
    const adminPage = await w.newPage({ height: 1000 });
    await adminPage.page.goto(`/w/${ws}/settings/contact-fields`);
    await signIn(adminPage.page, admin.email);
    const settings = adminPage.page;
    await settings.getByText('No contact fields yet.').waitFor();
    const form = settings.getByRole('form', { name: 'New contact field' });
    await form.getByLabel('Label').fill('Customer plan');
    assert.equal(await form.getByLabel('Key').inputValue(), 'customer_plan', 'the key follows the label');
    await form.getByLabel('Type').selectOption('select');
    // A select field without options is refused before anything is sent, in plain words.
    await form.getByRole('button', { name: 'Add the field' }).click();
    await form.getByText('List 1 to 50 different options').waitFor();
    await form.getByLabel('Options').fill('Free\nPro\nEnterprise');
    await form.getByRole('button', { name: 'Add the field' }).click();
    const fields = settings.getByRole('list', { name: 'Contact fields' });
    await fields.getByText('Customer plan', { exact: true }).waitFor();
    assert.equal(await form.getByLabel('Label').inputValue(), '', 'the form is cleared');
    await form.getByLabel('Label').fill('Seats');
    await form.getByLabel('Type').selectOption('number');
    await form.getByRole('button', { name: 'Add the field' }).click();
    await fields.getByText('Seats', { exact: true }).waitFor();
    // A key that is taken is named next to the key.
    await form.getByLabel('Label').fill('Plan again');
    await form.getByLabel('Key').fill('customer_plan');
    await form.getByRole('button', { name: 'Add the field' }).click();
    await form.getByText('A field with this key already exists. Choose another key.').waitFor();
    await w.screenshot(settings, 'settings-contact-fields');

    // The agent opens the conversation: the panel lists the fields, not set yet.
    const { page, problems } = await w.newPage({ width: 1300, height: 1000 });
    await page.goto(`/w/${ws}/inbox/${conversationId}`);
    await signIn(page, agent.email);
    const panel = page.getByRole('complementary', { name: 'Contact' });
    await panel.getByText('Customer plan').waitFor();
    assert.equal(await panel.getByText('Not set').count(), 2);

    // Keyboard only: open the editor, choose an option, save with the Save button.
    await panel.getByRole('button', { name: 'Edit Customer plan' }).focus();
    await page.keyboard.press('Enter');
    const plan = panel.getByLabel('Customer plan', { exact: true });
    assert.ok(await plan.evaluate((el) => el === document.activeElement), 'the editor takes the focus');
    await plan.selectOption('Pro');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await panel.getByText('Pro', { exact: true }).waitFor();
    assert.ok(
      await panel
        .getByRole('button', { name: 'Edit Customer plan' })
        .evaluate((el) => el === document.activeElement),
      'the focus returns to Edit',
    );

    // A number, saved with Enter; Escape leaves an editor without saving.
    await panel.getByRole('button', { name: 'Edit Seats' }).click();
    await panel.getByLabel('Seats', { exact: true }).fill('12.5');
    await page.keyboard.press('Enter');
    await panel.getByText('12.5').waitFor();
    await panel.getByRole('button', { name: 'Edit Seats' }).click();
    await panel.getByLabel('Seats', { exact: true }).fill('99');
    await page.keyboard.press('Escape');
    await panel.getByText('12.5').waitFor();

    // The agent corrects the name; the conversation list follows.
    await panel.getByRole('button', { name: 'Edit Name' }).click();
    await panel.getByLabel('Name', { exact: true }).fill('Lucía P. Gómez');
    await page.keyboard.press('Enter');
    await panel.getByText('Lucía P. Gómez').waitFor();
    await page
      .getByRole('link', { name: /Lucía P\. Gómez/ })
      .first()
      .waitFor();

    // The server refuses a field archived meanwhile: the agent reads why, in plain words.
    const seats = (await owner.get('/api/v1/contact-fields')).body.items.find(
      (f: { key: string }) => f.key === 'seats',
    );
    assert.equal((await owner.patch(`/api/v1/contact-fields/${seats.id}`, { archived: true })).status, 200);
    await panel.getByRole('button', { name: 'Edit Seats' }).click();
    await panel.getByLabel('Seats', { exact: true }).fill('3');
    await page.keyboard.press('Enter');
    await panel
      .getByRole('alert')
      .getByText('This field no longer exists or was archived. Reload the page.')
      .waitFor();
    assert.equal(
      await panel.getByLabel('Seats', { exact: true }).getAttribute('aria-invalid'),
      'true',
      'the input is marked invalid',
    );
    await w.screenshot(page, 'contact-panel-fields');
    assert.equal((await owner.patch(`/api/v1/contact-fields/${seats.id}`, { archived: false })).status, 200);

    // After a reload everything is still there, from the server.
    await page.reload();
    await panel.getByText('Customer plan').waitFor();
    await panel.getByText('Pro', { exact: true }).waitFor();
    await panel.getByText('12.5').waitFor();
    await panel.getByText('Lucía P. Gómez').waitFor();
    const saved = await owner.get(`/api/v1/contacts/${contactId}`);
    assert.deepEqual(saved.body.customFields, { customer_plan: 'Pro', seats: 12.5 });
    assert.equal(saved.body.name, 'Lucía P. Gómez');
    assert.deepEqual(problems, []);
    assert.deepEqual(adminPage.problems, []);
  },
);

test('the contact panel in Spanish', { skip }, async () => {
  const owner = await signUpOwner(w.h.app, { workspaceName: 'Panadería' });
  const ws = String(owner.workspaceId);
  const channel = await seedChannel(w.h, ws);
  const { conversationId } = await seedInbound(w.h, channel, { profileName: 'Marta' });
  assert.equal(
    (await owner.post('/api/v1/contact-fields', { key: 'vip', label: 'VIP', type: 'boolean' })).status,
    201,
  );
  const { page, problems } = await w.newPage({ width: 1300, height: 900, locale: 'es-ES' });
  await page.goto(`/w/${ws}/inbox/${conversationId}`);
  await page.getByLabel('Correo electrónico', { exact: true }).fill(owner.email);
  await page.getByLabel('Contraseña', { exact: true }).fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  const panel = page.getByRole('complementary', { name: 'Contacto' });
  await panel.getByRole('button', { name: 'Editar VIP' }).click();
  await panel.getByLabel('VIP', { exact: true }).selectOption('true');
  await panel.getByRole('button', { name: 'Guardar' }).click();
  await panel.getByText('Sí', { exact: true }).waitFor();
  assert.deepEqual(problems, []);
});
