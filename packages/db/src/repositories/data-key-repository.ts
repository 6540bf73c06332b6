import { eq, isNull } from 'drizzle-orm';
import type { DataKeyStore, StoredDataKey } from '@parley/core';
import type { Tx } from '../database.ts';
import { dataKeys } from '../schema/index.ts';

export function dataKeyRepository(tx: Tx, masterKeyIdOf: (wrapped: Buffer) => string): DataKeyStore {
  return {
    async listKeys(workspaceId) {
      const rows = await tx
        .select()
        .from(dataKeys)
        .where(workspaceId === null ? isNull(dataKeys.workspaceId) : eq(dataKeys.workspaceId, workspaceId))
        .orderBy(dataKeys.createdAt);
      return rows.map((r): StoredDataKey => ({
        id: r.id,
        workspaceId: r.workspaceId,
        wrapped: r.wrapped,
        createdAt: r.createdAt,
        retiredAt: r.retiredAt,
      }));
    },
    async insertKey(key) {
      await tx.insert(dataKeys).values({ ...key, masterKeyId: masterKeyIdOf(key.wrapped) });
    },
    async replaceWrapped(keyId, wrapped) {
      await tx
        .update(dataKeys)
        .set({ wrapped, masterKeyId: masterKeyIdOf(wrapped) })
        .where(eq(dataKeys.id, keyId));
    },
    async retireKey(keyId, at) {
      await tx.update(dataKeys).set({ retiredAt: at }).where(eq(dataKeys.id, keyId));
    },
  };
}
