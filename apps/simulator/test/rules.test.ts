import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '../src/index.ts';
import { PHONE, startHarness, statusesOf, text, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.client.setRules({
    throughput: true,
    pairRateLimit: true,
    pairBurst: 45,
    messagingLimit: true,
    customerServiceWindow: true,
    templateStatus: true,
    templateParameters: true,
  });
  await h.client.resetRules(PHONE);
  await h.client.patchPhoneNumber(PHONE, { throughputMps: 1000 });
});

const template = (to: string, name: string, components: unknown[] = [], language = 'en_US') => ({
  messaging_product: 'whatsapp',
  to,
  type: 'template',
  template: { name, language: { code: language }, components },
});

async function failedCode(id: string): Promise<number> {
  await h.receiver.waitFor((r) => statusesOf(r).some((s) => s.id === id));
  return statusesOf(h.receiver.received).find((s) => s.id === id).errors?.[0]?.code ?? 0;
}

async function firstStatus(id: string): Promise<any> {
  await h.receiver.waitFor((r) => statusesOf(r).some((s) => s.id === id));
  return statusesOf(h.receiver.received).find((s) => s.id === id);
}

describe('templates', () => {
  test('unknown name or language → 132001; parameter count → 132000; named/format → 132012', async () => {
    const to = (await h.client.createCustomer()).waId!;
    assert.equal((await h.graph('POST', `/${PHONE}/messages`, template(to, 'nope'))).json.error.code, 132001);
    assert.equal(
      (await h.graph('POST', `/${PHONE}/messages`, template(to, 'hello_world', [], 'pt_BR'))).json.error.code,
      132001,
    );
    const few = await h.graph(
      'POST',
      `/${PHONE}/messages`,
      template(to, 'order_update', [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }]),
    );
    assert.equal(few.json.error.code, 132000);
    assert.match(
      few.json.error.error_data.details,
      /body: number of localizable_params \(1\) does not match the expected number of params \(2\)/,
    );
    const missingButton = await h.graph(
      'POST',
      `/${PHONE}/messages`,
      template(to, 'order_update', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'text', text: 'A-1' },
          ],
        },
      ]),
    );
    assert.equal(missingButton.json.error.code, 131008);
    const ok = await h.graph(
      'POST',
      `/${PHONE}/messages`,
      template(to, 'order_update', [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'currency', currency: { fallback_value: '$10.50', code: 'USD', amount_1000: 10500 } },
          ],
        },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-1' }] },
      ]),
    );
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(ok.json.messages[0].message_status, 'accepted');
    const thread = await h.client.thread(to, PHONE);
    assert.equal(thread.messages.at(-1)?.view.text, 'Hi Ana, your order $10.50 is on its way.');
    const wrongName = await h.graph(
      'POST',
      `/${PHONE}/messages`,
      template(to, 'weekly_offer', [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/p.jpg' } }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', parameter_name: 'first_name', text: 'A' },
            { type: 'text', parameter_name: 'deal', text: 'B' },
          ],
        },
      ]),
    );
    assert.equal(wrongName.json.error.code, 132012);
    const noHeader = await h.graph(
      'POST',
      `/${PHONE}/messages`,
      template(to, 'weekly_offer', [
        {
          type: 'body',
          parameters: [
            { type: 'text', parameter_name: 'first_name', text: 'A' },
            { type: 'text', parameter_name: 'offer', text: 'B' },
          ],
        },
      ]),
    );
    assert.equal(noHeader.json.error.code, 132012);
  });

  test('PENDING → 132001, PAUSED (low quality) → 132015 with webhook, DISABLED → 132016', async () => {
    const to = (await h.client.createCustomer()).waId!;
    const created = await h.graph('POST', `/${DEMO.wabaId}/message_templates`, {
      name: 'slow_review',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Your code is ready.' }],
    });
    await h.client.setTiming({ reviewMs: 60_000 });
    const pending = await h.graph('POST', `/${DEMO.wabaId}/message_templates`, {
      name: 'still_pending',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Pending text.' }],
    });
    await h.client.setTiming({ reviewMs: 0 });
    assert.equal(
      (await h.graph('POST', `/${PHONE}/messages`, template(to, 'still_pending'))).json.error.code,
      132001,
    );
    await h.receiver.waitFor((r) =>
      r.some((x) => x.body.includes(`"message_template_id":${created.json.id}`)),
    );
    assert.equal((await h.graph('POST', `/${PHONE}/messages`, template(to, 'slow_review'))).status, 200);
    await h.client.setTemplateQuality(created.json.id, 'RED');
    assert.equal(
      (await h.graph('POST', `/${PHONE}/messages`, template(to, 'slow_review'))).json.error.code,
      132015,
    );
    await h.receiver.waitFor((r) => r.some((x) => x.body.includes('"event":"PAUSED"')));
    await h.client.setTemplateStatus(created.json.id, 'DISABLED');
    assert.equal(
      (await h.graph('POST', `/${PHONE}/messages`, template(to, 'slow_review'))).json.error.code,
      132016,
    );
    await h.client.setRules({ templateStatus: false }, PHONE);
    assert.equal((await h.graph('POST', `/${PHONE}/messages`, template(to, 'slow_review'))).status, 200);
    assert.ok(pending.json.id);
  });
});

describe('rate limits', () => {
  test('throughput per number → 130429 (inbound counts too); settable to 1,000', async () => {
    await h.client.patchPhoneNumber(PHONE, { throughputMps: 5 });
    await h.client.setRules({ pairRateLimit: false }, PHONE);
    const customers = await Promise.all(Array.from({ length: 3 }, () => h.client.createCustomer()));
    for (const c of customers) await h.client.customerSends(c.id, PHONE, { type: 'text', text: 'hi' });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await h.graph('POST', `/${PHONE}/messages`, template(customers[i % 3]!.waId!, 'hello_world'));
      codes.push(r.status === 200 ? 200 : r.json.error.code);
    }
    assert.deepEqual(codes, [200, 200, 130429, 130429], 'three of five tokens went to inbound messages');
    await h.client.setRules({ throughput: false }, PHONE);
    assert.equal(
      (await h.graph('POST', `/${PHONE}/messages`, template(customers[0]!.waId!, 'hello_world'))).status,
      200,
    );
    await h.client.patchPhoneNumber(PHONE, { throughputMps: 80 });
    const phone = await h.graph('GET', `/${PHONE}?fields=throughput`);
    assert.deepEqual(phone.json.throughput, { level: 'STANDARD' });
    await h.client.patchPhoneNumber(PHONE, { throughputMps: 1000 });
    assert.deepEqual((await h.graph('GET', `/${PHONE}?fields=throughput`)).json.throughput, {
      level: 'HIGH',
    });
  });

  test('pair rate limit → 131056 for that pair only', async () => {
    await h.client.setRules({ pairBurst: 3 }, PHONE);
    const [a, b] = await Promise.all([h.client.createCustomer(), h.client.createCustomer()]);
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await h.graph('POST', `/${PHONE}/messages`, template(a.waId!, 'hello_world'));
      codes.push(r.status === 200 ? 200 : r.json.error.code);
    }
    assert.deepEqual(codes, [200, 200, 200, 131056, 131056]);
    assert.equal((await h.graph('POST', `/${PHONE}/messages`, template(b.waId!, 'hello_world'))).status, 200);
  });

  test('portfolio messaging limit counts unique users outside the window (configurable error)', async () => {
    await h.client.setRules({ pairRateLimit: false }, PHONE);
    await h.client.setMessagingLimit(DEMO.businessId, 250);
    await h.client.advanceClock(25 * 3600_000, PHONE); // forget earlier reach
    const users = Array.from({ length: 251 }, (_, i) => `1777${String(i).padStart(7, '0')}`);
    const ids: string[] = [];
    for (const u of users)
      ids.push((await h.graph('POST', `/${PHONE}/messages`, template(u, 'hello_world'))).json.messages[0].id);
    assert.equal(await failedCode(ids[250]!), 131048);
    assert.equal((await firstStatus(ids[249]!)).status, 'sent');
    // The same user again does not count twice; a user inside the window does not count.
    const again = await h.graph('POST', `/${PHONE}/messages`, template(users[0]!, 'hello_world'));
    assert.equal((await firstStatus(again.json.messages[0].id)).status, 'sent');
    await h.client.setRules({ messagingLimitErrorMode: 'sync' });
    const sync = await h.graph('POST', `/${PHONE}/messages`, template('17779999999', 'hello_world'));
    assert.equal(sync.json.error.code, 131048);
    await h.client.setRules({ messagingLimitErrorMode: 'async' });
    await h.client.setMessagingLimit(DEMO.businessId, 2000);
    assert.equal(
      (await h.graph('GET', `/${PHONE}?fields=whatsapp_business_manager_messaging_limit`)).json
        .whatsapp_business_manager_messaging_limit,
      'TIER_2K',
    );
  });
});

describe('recipients', () => {
  test('marketing opt-out → 131050 (utility still delivered)', async () => {
    const c = await h.client.createCustomer();
    await h.client.setMarketingOptOut(c.id, PHONE, true);
    const marketing = await h.graph(
      'POST',
      `/${PHONE}/messages`,
      template(c.waId!, 'weekly_offer', [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/p.jpg' } }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', parameter_name: 'first_name', text: 'A' },
            { type: 'text', parameter_name: 'offer', text: 'B' },
          ],
        },
      ]),
    );
    assert.equal(marketing.status, 200);
    assert.equal(await failedCode(marketing.json.messages[0].id), 131050);
    const utility = await h.graph('POST', `/${PHONE}/messages`, template(c.waId!, 'hello_world'));
    assert.equal((await firstStatus(utility.json.messages[0].id)).status, 'sent');
  });

  test('unregistered numbers → 131026 (seeded, flagged, or unknown when configured)', async () => {
    const dan = await h.graph('POST', `/${PHONE}/messages`, template('15550199999', 'hello_world'));
    assert.equal(await failedCode(dan.json.messages[0].id), 131026);
    await h.client.setRules({ unknownRecipients: 'unregistered' });
    const stranger = await h.graph('POST', `/${PHONE}/messages`, template('19998887777', 'hello_world'));
    assert.equal(await failedCode(stranger.json.messages[0].id), 131026);
    await h.client.setRules({ unknownRecipients: 'register' });
    await h.client.setRules({ unregisteredRecipients: false }, PHONE);
    const allowed = await h.graph('POST', `/${PHONE}/messages`, template('15550199999', 'hello_world'));
    assert.equal((await firstStatus(allowed.json.messages[0].id)).status, 'sent');
  });

  test('window rule can be switched off per number', async () => {
    const c = await h.client.createCustomer();
    await h.client.setRules({ customerServiceWindow: false }, PHONE);
    const r = await h.graph('POST', `/${PHONE}/messages`, text(c.waId!, 'no window needed'));
    assert.equal((await firstStatus(r.json.messages[0].id)).status, 'sent');
  });

  test('inbound burst at N per second', async () => {
    const t0 = Date.now();
    const result = await h.client.burst({ to: PHONE, count: 20, perSecond: 100, customers: 4 });
    assert.equal(result.sent, 20);
    assert.equal(result.customerIds.length, 4);
    assert.ok(Date.now() - t0 >= 150, 'paced');
    const thread = await h.client.thread(result.customerIds[0]!, PHONE);
    assert.equal(thread.messages.length, 5);
    assert.equal(thread.windowOpen, true);
  });
});
