import { and, asc, count, eq } from 'drizzle-orm';
import {
  DomainError,
  type ContactFieldDefinition,
  type ContactFieldStore,
  type ContactFieldType,
  type ContactFieldValue,
  type FieldCipher,
} from '@parley/core';
import type { Tx } from '../database.ts';
import { contactFieldDefinitions, contactFieldValues } from '../schema/index.ts';
import { isUniqueViolation } from './pg-errors.ts';

/** Encryption context of a value: its JSON (so a number stays a number), bound to the column. */
const VALUE = 'contact_field_values.value';

const toDefinition = (row: typeof contactFieldDefinitions.$inferSelect): ContactFieldDefinition => ({
  id: row.id,
  workspaceId: row.workspaceId,
  key: row.key,
  label: row.label,
  type: row.type as ContactFieldType,
  options: row.options,
  archivedAt: row.archivedAt,
  createdAt: row.createdAt,
});

/** Custom contact field definitions of one workspace, and contacts' values (encrypted). */
export function contactFieldRepository(tx: Tx, workspaceId: string, cipher: FieldCipher): ContactFieldStore {
  const inWorkspace = eq(contactFieldDefinitions.workspaceId, workspaceId);
  return {
    async list() {
      const rows = await tx
        .select()
        .from(contactFieldDefinitions)
        .where(inWorkspace)
        .orderBy(asc(contactFieldDefinitions.createdAt), asc(contactFieldDefinitions.id));
      return rows.map(toDefinition);
    },
    async get(id) {
      const [row] = await tx
        .select()
        .from(contactFieldDefinitions)
        .where(and(inWorkspace, eq(contactFieldDefinitions.id, id)));
      return row ? toDefinition(row) : null;
    },
    async count() {
      const [row] = await tx.select({ n: count() }).from(contactFieldDefinitions).where(inWorkspace);
      return Number(row?.n ?? 0);
    },
    async insert(field) {
      try {
        await tx.insert(contactFieldDefinitions).values({ ...field, workspaceId });
      } catch (e) {
        throw isUniqueViolation(e)
          ? new DomainError(
              'contact_field_exists',
              `A contact field with the key "${field.key}" already exists.`,
              {
                fields: [{ path: 'body/key', problem: 'is taken' }],
              },
            )
          : e;
      }
    },
    async update(id, patch) {
      await tx
        .update(contactFieldDefinitions)
        .set({ ...patch, updatedAt: new Date() })
        .where(and(inWorkspace, eq(contactFieldDefinitions.id, id)));
    },
    async delete(id) {
      const gone = await tx
        .delete(contactFieldDefinitions)
        .where(and(inWorkspace, eq(contactFieldDefinitions.id, id)))
        .returning({ id: contactFieldDefinitions.id });
      return gone.length > 0;
    },
    async values(contactId) {
      const rows = await tx
        .select({ fieldId: contactFieldValues.fieldId, value: contactFieldValues.value })
        .from(contactFieldValues)
        .where(
          and(eq(contactFieldValues.workspaceId, workspaceId), eq(contactFieldValues.contactId, contactId)),
        );
      const values = new Map<string, ContactFieldValue>();
      for (const row of rows) {
        values.set(
          row.fieldId,
          JSON.parse(await cipher.decryptString(row.value, VALUE)) as ContactFieldValue,
        );
      }
      return values;
    },
    async setValue(contactId, fieldId, value) {
      const sealed = await cipher.encrypt(JSON.stringify(value), VALUE);
      const now = new Date();
      await tx
        .insert(contactFieldValues)
        .values({ workspaceId, contactId, fieldId, value: sealed, updatedAt: now })
        .onConflictDoUpdate({
          target: [contactFieldValues.contactId, contactFieldValues.fieldId],
          set: { value: sealed, updatedAt: now },
        });
    },
    async clearValue(contactId, fieldId) {
      await tx
        .delete(contactFieldValues)
        .where(
          and(
            eq(contactFieldValues.workspaceId, workspaceId),
            eq(contactFieldValues.contactId, contactId),
            eq(contactFieldValues.fieldId, fieldId),
          ),
        );
    },
  };
}
