import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveScopedId, DEMO } from '../src/index.ts';
import { ANA_WA, PHONE, startHarness, text, type Harness } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

function assertEnvelope(json: any, code: number): void {
  assert.equal(typeof json.error, 'object', JSON.stringify(json));
  assert.equal(json.error.code, code, JSON.stringify(json));
  assert.equal(typeof json.error.message, 'string');
  assert.equal(typeof json.error.type, 'string');
  assert.equal(typeof json.error.fbtrace_id, 'string');
}

describe('authentication and envelope', () => {
  test('a valid send returns Meta’s response shape', async () => {
    const r = await h.graph('POST', `/${PHONE}/messages`, text(`+${ANA_WA}`, 'Hello'));
    assert.equal(r.status, 200);
    assert.equal(r.json.messaging_product, 'whatsapp');
    assert.deepEqual(r.json.contacts, [{ input: `+${ANA_WA}`, wa_id: ANA_WA }]);
    assert.match(r.json.messages[0].id, /^wamid\./);
  });

  test('bad, missing and expired tokens', async () => {
    const bad = await h.graph('POST', `/${PHONE}/messages`, text(ANA_WA, 'x'), 'nope');
    assert.equal(bad.status, 401);
    assertEnvelope(bad.json, 190);
    const missing = await h.graph('GET', `/${PHONE}`, undefined, null);
    assertEnvelope(missing.json, 104);
    const { token } = await h.client.createToken({ expiresIn: 3600 });
    assert.equal((await h.graph('GET', `/${PHONE}`, undefined, token)).status, 200);
    await h.client.expireToken(token);
    const expired = await h.graph('GET', `/${PHONE}`, undefined, token);
    assert.equal(expired.status, 401);
    assertEnvelope(expired.json, 190);
    assert.equal(expired.json.error.error_subcode, 463);
  });

  test('access_token query parameter is accepted', async () => {
    const r = await fetch(`${h.sim.graphUrl}/${PHONE}?access_token=${DEMO.accessToken}`);
    assert.equal(r.status, 200);
  });

  test('malformed requests get the error envelope, never a stack trace', async () => {
    const badJson = await h.graph('POST', `/${PHONE}/messages`, '{"messaging_product":');
    assert.equal(badJson.status, 400);
    assertEnvelope(badJson.json, 100);
    const unknownObject = await h.graph('GET', '/123456789');
    assertEnvelope(unknownObject.json, 100);
    assert.equal(unknownObject.json.error.error_subcode, 33);
    const unknownEdge = await h.graph('GET', `/${PHONE}/frobnicate`);
    assertEnvelope(unknownEdge.json, 2500);
    const noProduct = await h.graph('POST', `/${PHONE}/messages`, {
      to: ANA_WA,
      type: 'text',
      text: { body: 'x' },
    });
    assertEnvelope(noProduct.json, 100);
    const noTo = await h.graph('POST', `/${PHONE}/messages`, {
      messaging_product: 'whatsapp',
      type: 'text',
      text: { body: 'x' },
    });
    assertEnvelope(noTo.json, 131008);
    const badType = await h.graph('POST', `/${PHONE}/messages`, {
      messaging_product: 'whatsapp',
      to: ANA_WA,
      type: 'hologram',
    });
    assertEnvelope(badType.json, 100);
    const arrayBody = await h.graph('POST', `/${PHONE}/messages`, '[1,2]');
    assertEnvelope(arrayBody.json, 100);
    const root = await fetch(`${h.sim.url}/v23.0`);
    assertEnvelope(await root.json(), 2500);
    const tooLong = await h.graph('POST', `/${PHONE}/messages`, text(ANA_WA, 'x'.repeat(4097)));
    assertEnvelope(tooLong.json, 100);
    for (const r of [badJson, unknownObject, unknownEdge, noProduct, noTo, badType, arrayBody, tooLong]) {
      assert.doesNotMatch(JSON.stringify(r.json), /at .*\.ts:\d+/);
    }
  });

  test('another business’s token cannot see the number (code 100/33)', async () => {
    const { token } = await h.client.createToken({ businessId: '999' });
    const r = await h.graph('GET', `/${PHONE}`, undefined, token);
    assertEnvelope(r.json, 100);
    assert.equal(r.json.error.error_subcode, 33);
  });

  test('injected 5xx and latency', async () => {
    await h.client.setFaults({ graph: { errorNext: 2, errorStatus: 503 } });
    const first = await h.graph('GET', `/${PHONE}`);
    assert.equal(first.status, 503);
    assertEnvelope(first.json, 2);
    assert.equal(first.json.error.is_transient, true);
    assert.equal((await h.graph('GET', `/${PHONE}`)).status, 503);
    assert.equal((await h.graph('GET', `/${PHONE}`)).status, 200);
    await h.client.setFaults({ graph: { latencyMs: 120 } });
    const t0 = Date.now();
    await h.graph('GET', `/${PHONE}`);
    assert.ok(Date.now() - t0 >= 100);
    await h.client.clearFaults();
  });
});

describe('WhatsApp message types and limits', () => {
  const send = (body: Record<string, unknown>) =>
    h.graph('POST', `/${PHONE}/messages`, { messaging_product: 'whatsapp', to: ANA_WA, ...body });

  test('every outbound type is accepted', async () => {
    const bodies = [
      { type: 'image', image: { link: 'https://example.com/a.jpg', caption: 'A' } },
      { type: 'audio', audio: { link: 'https://example.com/a.ogg' } },
      { type: 'video', video: { link: 'https://example.com/a.mp4' } },
      { type: 'document', document: { link: 'https://example.com/a.pdf', filename: 'a.pdf' } },
      { type: 'sticker', sticker: { link: 'https://example.com/a.webp' } },
      { type: 'location', location: { latitude: 1.5, longitude: 2.5, name: 'Shop' } },
      { type: 'contacts', contacts: [{ name: { formatted_name: 'Ana' }, phones: [{ phone: '+1' }] }] },
      { type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } },
      {
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Confirm?' },
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'yes', title: 'Yes' } },
              { type: 'reply', reply: { id: 'no', title: 'No' } },
            ],
          },
        },
      },
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Pick' },
          action: {
            button: 'Branches',
            sections: [{ title: 'North', rows: [{ id: 'r1', title: 'Downtown', description: 'Open 9-18' }] }],
          },
        },
      },
    ];
    for (const body of bodies) {
      const r = await send(body);
      assert.equal(r.status, 200, `${JSON.stringify(body)} → ${JSON.stringify(r.json)}`);
    }
  });

  test('interactive limits → 131009', async () => {
    const buttons = (titles: string[]) => ({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Q' },
        action: { buttons: titles.map((t, i) => ({ type: 'reply', reply: { id: `b${i}`, title: t } })) },
      },
    });
    assertEnvelope((await send(buttons(['x'.repeat(21)]))).json, 131009);
    assertEnvelope((await send(buttons(['a', 'b', 'c', 'd']))).json, 131009);
    assertEnvelope((await send(buttons(['same', 'same']))).json, 131009);
    const rows = Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` }));
    const list = await send({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Q' },
        action: { button: 'Pick', sections: [{ title: 'S', rows }] },
      },
    });
    assertEnvelope(list.json, 131009);
    const longRow = await send({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Q' },
        action: { button: 'Pick', sections: [{ title: 'S', rows: [{ id: 'a', title: 'x'.repeat(25) }] }] },
      },
    });
    assertEnvelope(longRow.json, 131009);
    const twoSectionsNoTitle = await send({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Q' },
        action: {
          button: 'Pick',
          sections: [{ rows: [{ id: 'a', title: 'A' }] }, { rows: [{ id: 'b', title: 'B' }] }],
        },
      },
    });
    assertEnvelope(twoSectionsNoTitle.json, 131008);
  });

  test('media needs exactly one of id or link; unknown media id → 131009', async () => {
    assertEnvelope((await send({ type: 'image', image: {} })).json, 100);
    assertEnvelope((await send({ type: 'image', image: { id: '1', link: 'https://x' } })).json, 100);
    assertEnvelope((await send({ type: 'image', image: { id: '424242' } })).json, 131009);
    assertEnvelope(
      (await send({ type: 'audio', audio: { link: 'https://x/a.ogg', caption: 'no' } })).json,
      100,
    );
  });

  test('recipient == sender → 131021', async () => {
    const r = await h.graph('POST', `/${PHONE}/messages`, text(DEMO.displayPhoneNumber, 'me'));
    assertEnvelope(r.json, 131021);
  });

  test('mark as read with typing indicator', async () => {
    const inbound = await h.client.customerSends('ana', PHONE, { type: 'text', text: 'hello?' });
    const r = await h.graph('POST', `/${PHONE}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: inbound.id,
      typing_indicator: { type: 'text' },
    });
    assert.deepEqual(r.json, { success: true });
    const thread = await h.client.thread('ana', PHONE);
    assert.equal(thread.typing, true);
    assert.equal(thread.messages.find((m) => m.id === inbound.id)?.status, 'read');
    const bad = await h.graph('POST', `/${PHONE}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.nope',
    });
    assertEnvelope(bad.json, 131009);
  });
});

describe('phone number, media, templates', () => {
  test('phone number fields', async () => {
    const r = await h.graph(
      'GET',
      `/${PHONE}?fields=quality_rating,throughput,whatsapp_business_manager_messaging_limit,display_phone_number`,
    );
    assert.equal(r.json.quality_rating, 'GREEN');
    assert.deepEqual(r.json.throughput, { level: 'STANDARD' });
    assert.equal(r.json.whatsapp_business_manager_messaging_limit, 'TIER_2K');
    assert.equal(r.json.id, PHONE);
    const list = await h.graph('GET', `/${DEMO.wabaId}/phone_numbers`);
    assert.equal(list.json.data[0].id, PHONE);
  });

  test('media upload, URL, download with token, delete', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/png');
    form.set('file', new Blob([Buffer.from('89504e47', 'hex')], { type: 'image/png' }), 'x.png');
    const up = await fetch(`${h.sim.graphUrl}/${PHONE}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO.accessToken}` },
      body: form,
    });
    const { id } = (await up.json()) as { id: string };
    assert.match(id, /^\d+$/);
    const info = await h.graph('GET', `/${id}`);
    assert.equal(info.json.mime_type, 'image/png');
    assert.equal(info.json.file_size, '4');
    assert.equal(typeof info.json.sha256, 'string');
    const noToken = await fetch(info.json.url);
    assert.equal(noToken.status, 400);
    const download = await fetch(info.json.url, { headers: { authorization: `Bearer ${DEMO.accessToken}` } });
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), Buffer.from('89504e47', 'hex'));
    const sent = await h.graph('POST', `/${PHONE}/messages`, {
      messaging_product: 'whatsapp',
      to: ANA_WA,
      type: 'image',
      image: { id },
    });
    assert.equal(sent.status, 200);
    assert.deepEqual((await h.graph('DELETE', `/${id}`)).json, { success: true });
    assert.equal((await h.graph('GET', `/${id}`)).json.error.code, 100);
    const bad = new FormData();
    bad.set('messaging_product', 'whatsapp');
    bad.set('file', new Blob(['x'], { type: 'application/x-evil' }), 'x.bin');
    const rejected = await fetch(`${h.sim.graphUrl}/${PHONE}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO.accessToken}` },
      body: bad,
    });
    assert.equal(((await rejected.json()) as any).error.code, 131053);
  });

  test('template list paging, create, edit, delete', async () => {
    const page1 = await h.graph('GET', `/${DEMO.wabaId}/message_templates?limit=2&fields=name,status`);
    assert.equal(page1.json.data.length, 2);
    assert.deepEqual(Object.keys(page1.json.data[0]).sort(), ['id', 'name', 'status']);
    const next = await fetch(page1.json.paging.next, {
      headers: { authorization: `Bearer ${DEMO.accessToken}` },
    });
    const page2 = (await next.json()) as any;
    assert.equal(page2.data.length, 1);
    assert.equal(page2.paging.next, undefined);

    const created = await h.graph('POST', `/${DEMO.wabaId}/message_templates`, {
      name: 'shipping_note',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Order {{1}} ships today.', example: { body_text: [['A-1']] } }],
    });
    assert.equal(created.json.status, 'PENDING');
    const dup = await h.graph('POST', `/${DEMO.wabaId}/message_templates`, {
      name: 'shipping_note',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'x' }],
    });
    assert.equal(dup.json.error.code, 100);
    const edit = await h.graph('POST', `/${created.json.id}`, {
      components: [{ type: 'BODY', text: 'Order {{1}} ships soon.', example: { body_text: [['A-1']] } }],
    });
    assert.deepEqual(edit.json, { success: true });
    const del = await h.graph('DELETE', `/${DEMO.wabaId}/message_templates?name=shipping_note`);
    assert.deepEqual(del.json, { success: true });
    const missing = await h.graph('DELETE', `/${DEMO.wabaId}/message_templates?name=shipping_note`);
    assert.equal(missing.json.error.code, 100);
  });
});

describe('Messenger, Instagram, leads, signup', () => {
  test('Messenger window, HUMAN_AGENT and sender actions', async () => {
    const { scopedId: psid } = await h.client.scopedId('ben', DEMO.pageId);
    const send = (extra: Record<string, unknown>) =>
      h.graph('POST', `/${DEMO.pageId}/messages`, {
        recipient: { id: psid },
        message: { text: 'Hi' },
        ...extra,
      });
    const never = await send({ messaging_type: 'RESPONSE' });
    assert.equal(never.json.error.code, 10);
    assert.equal(never.json.error.error_subcode, 2018278);
    await h.client.customerSends('ben', DEMO.pageId, { type: 'text', text: 'hello page' });
    const ok = await send({ messaging_type: 'RESPONSE' });
    assert.equal(ok.json.recipient_id, psid);
    assert.match(ok.json.message_id, /^m_/);
    assert.equal((await send({})).json.error.code, 100, 'messaging_type required');
    await h.client.advanceClock(25 * 3600_000, DEMO.pageId);
    assert.equal((await send({ messaging_type: 'RESPONSE' })).json.error.error_subcode, 2018278);
    const agent = await send({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    assert.match(agent.json.message_id, /^m_/);
    await h.client.advanceClock(7 * 24 * 3600_000, DEMO.pageId);
    assert.equal((await send({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' })).json.error.code, 10);
    const typing = await h.graph('POST', `/${DEMO.pageId}/messages`, {
      recipient: { id: psid },
      sender_action: 'typing_on',
    });
    assert.deepEqual(typing.json, { recipient_id: psid });
    const unknown = await h.graph('POST', `/${DEMO.pageId}/messages`, {
      recipient: { id: '42' },
      messaging_type: 'RESPONSE',
      message: { text: 'x' },
    });
    assert.equal(unknown.json.error.code, 100);
  });

  test('Instagram outside the window uses its own subcode; only HUMAN_AGENT tag', async () => {
    const igsid = deriveScopedId('igsid', DEMO.instagramId, 'chen');
    const r = await h.graph('POST', `/${DEMO.instagramId}/messages`, {
      recipient: { id: igsid },
      messaging_type: 'RESPONSE',
      message: { text: 'x' },
    });
    assert.equal(r.json.error.code, 10);
    assert.equal(r.json.error.error_subcode, 2534022);
    const tag = await h.graph('POST', `/${DEMO.instagramId}/messages`, {
      recipient: { id: igsid },
      messaging_type: 'MESSAGE_TAG',
      tag: 'ACCOUNT_UPDATE',
      message: { text: 'x' },
    });
    assert.equal(tag.json.error.code, 100);
  });

  test('page subscribed_apps and lead retrieval', async () => {
    const subs = await h.graph('POST', `/${DEMO.pageId}/subscribed_apps?subscribed_fields=leadgen,messages`);
    assert.deepEqual(subs.json, { success: true });
    const listed = await h.graph('GET', `/${DEMO.pageId}/subscribed_apps`);
    assert.deepEqual(listed.json.data[0].subscribed_fields, ['leadgen', 'messages']);
    const lead = await h.client.createLead({ fieldData: { full_name: 'Zoë Ünal', email: 'z@example.com' } });
    const fetched = await h.graph(
      'GET',
      `/${lead.leadgenId}?fields=created_time,id,ad_id,form_id,field_data`,
    );
    assert.deepEqual(fetched.json.field_data, [
      { name: 'full_name', values: ['Zoë Ünal'] },
      { name: 'email', values: ['z@example.com'] },
    ]);
    assert.equal(fetched.json.form_id, DEMO.leadFormId);
    assert.match(fetched.json.created_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
  });

  test('embedded signup code exchange', async () => {
    const { code } = await h.client.signupCode(DEMO.appId, DEMO.businessId);
    const url = `${h.sim.graphUrl}/oauth/access_token?client_id=${DEMO.appId}&client_secret=${DEMO.appSecret}&code=${code}`;
    const r = (await (await fetch(url)).json()) as any;
    assert.equal(r.token_type, 'bearer');
    assert.equal((await h.graph('GET', `/${PHONE}`, undefined, r.access_token)).status, 200);
    const again = (await (await fetch(url)).json()) as any;
    assert.equal(again.error.code, 100);
    const wrongSecret = (await (await fetch(url.replace(DEMO.appSecret, 'x'))).json()) as any;
    assert.equal(wrongSecret.error.code, 1);
  });
});
