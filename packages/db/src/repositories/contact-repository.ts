import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { ContactStore, FieldCipher } from '@parley/core';
import type { Tx } from '../database.ts';
import { contactIdentities, contacts } from '../schema/index.ts';

const NAME = 'contacts.name';
const PHONE = 'contacts.phone';
const EXTERNAL_ID = 'contact_identities.external_id';
const PROFILE_NAME = 'contact_identities.profile_name';

/** Contacts with their personal fields encrypted and looked up through blind indexes. */
export function contactRepository(tx: Tx, cipher: FieldCipher): ContactStore {
  const maybeEncrypt = (v: string | null, ctx: string) => (v === null ? null : cipher.encrypt(v, ctx));
  const maybeDecrypt = (v: Buffer | null, ctx: string) => (v === null ? null : cipher.decryptString(v, ctx));
  const toRecord = async (row: typeof contacts.$inferSelect) => ({
    id: row.id,
    workspaceId: row.workspaceId,
    name: await maybeDecrypt(row.name, NAME),
    phone: await maybeDecrypt(row.phone, PHONE),
    createdAt: row.createdAt,
  });
  return {
    async findIdentities(channelId, externalIds) {
      const wanted = [...new Set(externalIds)];
      if (wanted.length === 0) return [];
      const byIndex = new Map<string, string>();
      for (const id of wanted) byIndex.set(await cipher.blindIndex(id, EXTERNAL_ID), id);
      const rows = await tx
        .select()
        .from(contactIdentities)
        .where(
          and(
            eq(contactIdentities.channelId, channelId),
            inArray(contactIdentities.externalIndex, [...byIndex.keys()]),
          ),
        );
      return Promise.all(
        rows.map(async (row) => ({
          id: row.id,
          contactId: row.contactId,
          channelId: row.channelId,
          // The index matched, so this is the id asked for (spares decrypting the stored copy).
          externalId: byIndex.get(row.externalIndex) ?? '',
          profileName: await maybeDecrypt(row.profileName, PROFILE_NAME),
        })),
      );
    },
    async insertContact(c) {
      await tx.insert(contacts).values({
        id: c.id,
        workspaceId: c.workspaceId,
        name: await maybeEncrypt(c.name, NAME),
        phone: await maybeEncrypt(c.phone, PHONE),
        phoneIndex: c.phone === null ? null : await cipher.blindIndex(c.phone, PHONE),
        createdAt: c.createdAt,
      });
    },
    async insertIdentity(i) {
      const [contact] = await tx
        .select({ ws: contacts.workspaceId })
        .from(contacts)
        .where(eq(contacts.id, i.contactId));
      if (!contact) throw new Error('insertIdentity: unknown contact');
      await tx.insert(contactIdentities).values({
        id: i.id,
        workspaceId: contact.ws,
        contactId: i.contactId,
        channelId: i.channelId,
        externalIndex: await cipher.blindIndex(i.externalId, EXTERNAL_ID),
        externalId: await cipher.encrypt(i.externalId, EXTERNAL_ID),
        profileName: await maybeEncrypt(i.profileName, PROFILE_NAME),
      });
    },
    async get(id) {
      const [row] = await tx.select().from(contacts).where(eq(contacts.id, id));
      return row ? toRecord(row) : null;
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      const rows = await tx.select().from(contacts).where(inArray(contacts.id, ids));
      return Promise.all(rows.map(toRecord));
    },
    async updateName(id, name) {
      await tx
        .update(contacts)
        .set({ name: await maybeEncrypt(name, NAME), updatedAt: new Date() })
        .where(eq(contacts.id, id));
    },
    async getIdentity(id) {
      const [row] = await tx.select().from(contactIdentities).where(eq(contactIdentities.id, id));
      if (!row) return null;
      return {
        id: row.id,
        contactId: row.contactId,
        channelId: row.channelId,
        externalId: await cipher.decryptString(row.externalId, EXTERNAL_ID),
        profileName: await maybeDecrypt(row.profileName, PROFILE_NAME),
      };
    },
    async nameIfUnnamed(id, name) {
      // One statement: under a concurrent edit PostgreSQL re-checks `name is null` on the row as
      // the other transaction left it, so a name set meanwhile is never overwritten.
      const rows = await tx
        .update(contacts)
        .set({ name: await cipher.encrypt(name, NAME), updatedAt: new Date() })
        .where(and(eq(contacts.id, id), isNull(contacts.name)))
        .returning({ id: contacts.id });
      return rows.length > 0;
    },
    async setIdentityProfileName(id, name) {
      await tx
        .update(contactIdentities)
        .set({ profileName: await cipher.encrypt(name, PROFILE_NAME) })
        .where(and(eq(contactIdentities.id, id), isNull(contactIdentities.profileName)));
    },
    async identities(contactId) {
      const rows = await tx
        .select()
        .from(contactIdentities)
        .where(eq(contactIdentities.contactId, contactId))
        .orderBy(asc(contactIdentities.createdAt));
      return Promise.all(
        rows.map(async (r) => ({
          id: r.id,
          contactId: r.contactId,
          channelId: r.channelId,
          externalId: await cipher.decryptString(r.externalId, EXTERNAL_ID),
          profileName: await maybeDecrypt(r.profileName, PROFILE_NAME),
        })),
      );
    },
  };
}
