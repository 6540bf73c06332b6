import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { DomainError, type CannedResponseStore } from '@parley/core';
import type { Tx } from '../database.ts';
import { cannedResponses } from '../schema/index.ts';
import { isUniqueViolation } from './pg-errors.ts';

const columns = {
  id: cannedResponses.id,
  workspaceId: cannedResponses.workspaceId,
  shortcut: cannedResponses.shortcut,
  title: cannedResponses.title,
  body: cannedResponses.body,
  createdAt: cannedResponses.createdAt,
  updatedAt: cannedResponses.updatedAt,
};

function shortcutTaken(e: unknown): unknown {
  return isUniqueViolation(e)
    ? new DomainError('shortcut_exists', 'A canned response with this shortcut already exists.')
    : e;
}

/** Canned responses of one workspace. */
export function cannedResponseRepository(tx: Tx, workspaceId: string): CannedResponseStore {
  const inWorkspace = (id: string) =>
    and(eq(cannedResponses.workspaceId, workspaceId), eq(cannedResponses.id, id));
  return {
    async list(shortcutPrefix) {
      const conds: SQL[] = [eq(cannedResponses.workspaceId, workspaceId)];
      // starts_with, not LIKE: `_` is a shortcut character, not a wildcard.
      if (shortcutPrefix) conds.push(sql`starts_with(lower(${cannedResponses.shortcut}), ${shortcutPrefix})`);
      return tx
        .select(columns)
        .from(cannedResponses)
        .where(and(...conds))
        .orderBy(asc(sql`lower(${cannedResponses.shortcut})`));
    },
    async get(id) {
      const [row] = await tx.select(columns).from(cannedResponses).where(inWorkspace(id));
      return row ?? null;
    },
    async insert(response) {
      try {
        await tx.insert(cannedResponses).values({ ...response, workspaceId });
      } catch (e) {
        throw shortcutTaken(e);
      }
    },
    async update(id, patch) {
      try {
        await tx
          .update(cannedResponses)
          .set({ ...patch, updatedAt: sql`now()` })
          .where(inWorkspace(id));
      } catch (e) {
        throw shortcutTaken(e);
      }
    },
    async delete(id) {
      const gone = await tx
        .delete(cannedResponses)
        .where(inWorkspace(id))
        .returning({ id: cannedResponses.id });
      return gone.length > 0;
    },
  };
}
