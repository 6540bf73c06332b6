import { eq, sql } from 'drizzle-orm';
import type { InboxSettingsStore } from '@parley/core';
import type { Tx } from '../database.ts';
import { inboxSettings } from '../schema/index.ts';

/** The inbox settings of one workspace (a row only once they were saved). */
export function inboxSettingsRepository(tx: Tx, workspaceId: string): InboxSettingsStore {
  return {
    async get() {
      const [row] = await tx
        .select({ autoAssign: inboxSettings.autoAssign })
        .from(inboxSettings)
        .where(eq(inboxSettings.workspaceId, workspaceId));
      return { autoAssign: row?.autoAssign ?? false };
    },
    async save(settings) {
      await tx
        .insert(inboxSettings)
        .values({ workspaceId, autoAssign: settings.autoAssign })
        .onConflictDoUpdate({
          target: inboxSettings.workspaceId,
          set: { autoAssign: settings.autoAssign, updatedAt: sql`now()` },
        });
    },
  };
}
