import { index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea, createdAt, workspaceIdColumn } from './columns.ts';
import { contacts } from './conversations.ts';
import { workspaces } from './workspaces.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true });

/**
 * Custom fields a workspace defines for its contacts ("plan", "birthday"…). `key` is the stable
 * name integrators use (unique per workspace, archived ones included); `options` lists the
 * choices of a `select` field. Definitions are not personal data; the values are.
 */
export const contactFieldDefinitions = pgTable(
  'contact_field_definitions',
  {
    id: uuid('id').primaryKey(),
    workspaceId: workspaceIdColumn().references(() => workspaces.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    label: text('label').notNull(),
    type: text('type').notNull(),
    options: jsonb('options').$type<string[]>().notNull().default([]),
    archivedAt: ts('archived_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('contact_field_definitions_key').on(t.workspaceId, t.key)],
);

/** One contact's value of one custom field: the JSON value, encrypted with the workspace key. */
export const contactFieldValues = pgTable(
  'contact_field_values',
  {
    workspaceId: workspaceIdColumn().references(() => workspaces.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    fieldId: uuid('field_id')
      .notNull()
      .references(() => contactFieldDefinitions.id, { onDelete: 'cascade' }),
    value: bytea('value').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.contactId, t.fieldId] }),
    index('contact_field_values_field_idx').on(t.fieldId),
  ],
);
