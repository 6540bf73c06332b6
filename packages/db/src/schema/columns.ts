import { customType, timestamp, uuid } from 'drizzle-orm/pg-core';

/** bytea as a Node Buffer on both engines (PGlite returns Uint8Array, pg returns Buffer). */
export const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => Buffer.from(value),
});

export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
export const workspaceIdColumn = () => uuid('workspace_id').notNull();
