// describe/it return promises that node:test itself awaits; nothing here floats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  applyContactProfile,
  prepareProfileFetch,
  profileDisplayName,
  requestContactProfile,
} from '../src/conversations/contact-profile.ts';
import { CONTACT_NAME_MAX } from '../src/conversations/contact-fields.ts';
import type {
  ChannelRecord,
  ContactIdentity,
  ContactRecord,
  ConversationRecord,
} from '../src/conversations/model.ts';
import type {
  ChannelStore,
  ContactStore,
  ConversationStore,
  RealtimeEventInput,
} from '../src/conversations/ports.ts';

/** The few store methods the profile use cases call, over plain maps. */
function world(opts: {
  contactName?: string | null;
  profileName?: string | null;
  channel?: Partial<ChannelRecord>;
}) {
  const contact: ContactRecord = {
    id: 'contact-1',
    workspaceId: 'ws',
    name: opts.contactName ?? null,
    phone: null,
    createdAt: new Date(0),
  };
  const identity: ContactIdentity = {
    id: 'identity-1',
    contactId: contact.id,
    channelId: 'channel-1',
    externalId: '6100000000000001',
    profileName: opts.profileName ?? null,
  };
  const channel = { id: 'channel-1', kind: 'messenger', status: 'active', ...opts.channel } as ChannelRecord;
  const events: RealtimeEventInput[] = [];
  const contacts = {
    async getIdentity(id: string) {
      return id === identity.id ? { ...identity } : null;
    },
    async get(id: string) {
      return id === contact.id ? { ...contact } : null;
    },
    async nameIfUnnamed(id: string, name: string) {
      if (id !== contact.id || contact.name !== null) return false;
      contact.name = name;
      return true;
    },
    async setIdentityProfileName(id: string, name: string) {
      if (id === identity.id && identity.profileName === null) identity.profileName = name;
    },
  } as unknown as ContactStore;
  const channels = {
    async get(id: string) {
      return id === channel.id ? channel : null;
    },
    async credentials() {
      return { accessToken: 'page-token' };
    },
  } as unknown as ChannelStore;
  const conversations = {
    async findByContacts(channelId: string, contactIds: string[]) {
      return channelId === channel.id && contactIds.includes(contact.id)
        ? [{ id: 'conversation-1', contactId: contact.id } as ConversationRecord]
        : [];
    },
  } as unknown as ConversationStore;
  const realtime = {
    async append(e: RealtimeEventInput) {
      events.push(e);
    },
  };
  return { contact, identity, channel, events, deps: { contacts, channels, conversations, realtime } };
}

describe('requestContactProfile', () => {
  it('asks for Messenger and Instagram identities without a name, nothing else', async () => {
    const queued: string[] = [];
    const jobs = {
      async enqueue(kind: string, refId: string) {
        queued.push(`${kind}:${refId}`);
      },
    };
    await requestContactProfile({ jobs }, { kind: 'messenger' }, { id: 'a', profileName: null });
    await requestContactProfile({ jobs }, { kind: 'instagram' }, { id: 'b', profileName: null });
    await requestContactProfile({ jobs }, { kind: 'whatsapp' }, { id: 'c', profileName: null });
    await requestContactProfile({ jobs }, { kind: 'messenger' }, { id: 'd', profileName: 'Known' });
    assert.deepEqual(queued, ['contact.profile:a', 'contact.profile:b']);
  });
});

describe('prepareProfileFetch', () => {
  it('answers the identity, its channel and credentials while there is a name to find', async () => {
    const w = world({});
    const target = await prepareProfileFetch(w.deps, 'identity-1');
    assert.equal(target?.identity.externalId, '6100000000000001');
    assert.equal(target?.channel.id, 'channel-1');
    assert.deepEqual(target?.credentials, { accessToken: 'page-token' });
  });

  it('nothing to look up: gone, named meanwhile, already has a profile name, channel not active or WhatsApp', async () => {
    assert.equal(await prepareProfileFetch(world({}).deps, 'unknown'), null);
    assert.equal(
      await prepareProfileFetch(world({ contactName: 'Set by an agent' }).deps, 'identity-1'),
      null,
    );
    assert.equal(await prepareProfileFetch(world({ profileName: 'From Meta' }).deps, 'identity-1'), null);
    assert.equal(
      await prepareProfileFetch(world({ channel: { status: 'auth_revoked' } }).deps, 'identity-1'),
      null,
    );
    assert.equal(
      await prepareProfileFetch(world({ channel: { kind: 'whatsapp' } }).deps, 'identity-1'),
      null,
    );
  });
});

describe('applyContactProfile', () => {
  it('names the contact and the identity, and announces the conversation (ids only)', async () => {
    const w = world({});
    assert.equal(await applyContactProfile(w.deps, 'identity-1', { name: 'Ana Ruiz' }), true);
    assert.equal(w.contact.name, 'Ana Ruiz');
    assert.equal(w.identity.profileName, 'Ana Ruiz');
    assert.deepEqual(w.events, [
      { type: 'conversation.updated', conversationId: 'conversation-1', data: { contactId: 'contact-1' } },
    ]);
  });

  it('never overwrites a name someone set; the identity still learns the profile name', async () => {
    const w = world({ contactName: 'Ana (VIP)' });
    assert.equal(await applyContactProfile(w.deps, 'identity-1', { name: 'Ana Ruiz' }), false);
    assert.equal(w.contact.name, 'Ana (VIP)');
    assert.equal(w.identity.profileName, 'Ana Ruiz');
    assert.deepEqual(w.events, []);
  });

  it('Instagram without a name: the username; nothing at all: nothing changes', async () => {
    const w = world({});
    await applyContactProfile(w.deps, 'identity-1', { name: null, username: 'ana.ruiz' });
    assert.equal(w.contact.name, 'ana.ruiz');
    const empty = world({});
    assert.equal(await applyContactProfile(empty.deps, 'identity-1', { name: '  ' }), false);
    assert.equal(empty.contact.name, null);
    assert.equal(empty.identity.profileName, null);
  });
});

describe('profileDisplayName', () => {
  it('name, else username; control characters and runs of space become one space', () => {
    assert.equal(profileDisplayName({ name: 'Ana Ruiz' }), 'Ana Ruiz');
    assert.equal(profileDisplayName({ name: null, username: 'ana.ruiz' }), 'ana.ruiz');
    assert.equal(profileDisplayName({ name: '', username: 'ana.ruiz' }), 'ana.ruiz');
    assert.equal(profileDisplayName({ name: ' Ana\u0000\n\tRuiz\u200b ' }), 'Ana Ruiz\u200b');
    assert.equal(profileDisplayName({ name: '\u0007', username: '' }), null);
    assert.equal(profileDisplayName({ name: null }), null);
  });

  it('never longer than a contact name may be, never a broken surrogate pair, never blank or with controls', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: 'grapheme', maxLength: 400 })),
        fc.option(fc.string()),
        (name, username) => {
          const shown = profileDisplayName({ name, ...(username === null ? {} : { username }) });
          if (shown === null) return;
          assert.ok(shown.length <= CONTACT_NAME_MAX);
          assert.equal(shown, shown.trim());
          assert.ok(shown.length > 0);
          assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(shown));
          assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(shown), 'no lone high surrogate');
        },
      ),
    );
  });
});
