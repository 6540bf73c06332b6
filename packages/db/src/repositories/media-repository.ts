import { eq } from 'drizzle-orm';
import type { MediaRecordStore } from '@parley/core';
import type { Tx } from '../database.ts';
import { mediaObjects, messages } from '../schema/index.ts';

export function mediaRepository(tx: Tx): MediaRecordStore {
  return {
    async insert(m) {
      const [msg] = await tx
        .select({ ws: messages.workspaceId })
        .from(messages)
        .where(eq(messages.id, m.messageId));
      if (!msg) throw new Error('media insert: unknown message');
      await tx.insert(mediaObjects).values({ ...m, workspaceId: msg.ws });
    },
    async get(id) {
      const [row] = await tx.select().from(mediaObjects).where(eq(mediaObjects.id, id));
      if (!row) return null;
      return {
        id: row.id,
        messageId: row.messageId,
        status: row.status as 'pending' | 'stored' | 'failed',
        mimeType: row.mimeType,
        sizeBytes: row.sizeBytes,
        storageKey: row.storageKey,
      };
    },
    async markStored(id, m) {
      await tx
        .update(mediaObjects)
        .set({
          status: 'stored',
          mimeType: m.mimeType,
          sizeBytes: m.sizeBytes,
          sha256: m.sha256,
          storageKey: m.storageKey,
          error: null,
        })
        .where(eq(mediaObjects.id, id));
    },
    async insertUploaded(m) {
      const [msg] = await tx
        .select({ ws: messages.workspaceId })
        .from(messages)
        .where(eq(messages.id, m.messageId));
      if (!msg) throw new Error('media insert: unknown message');
      await tx.insert(mediaObjects).values({ ...m, workspaceId: msg.ws, status: 'stored' });
    },
    async markFailed(id, error) {
      await tx
        .update(mediaObjects)
        .set({ status: 'failed', error: error.slice(0, 500) })
        .where(eq(mediaObjects.id, id));
    },
  };
}
