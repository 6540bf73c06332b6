import { and, asc, eq, sql } from 'drizzle-orm';
import { DomainError, type LabelStore } from '@parley/core';
import type { Tx } from '../database.ts';
import { conversationLabels, labels } from '../schema/index.ts';
import { isUniqueViolation } from './pg-errors.ts';

const columns = {
  id: labels.id,
  workspaceId: labels.workspaceId,
  name: labels.name,
  color: labels.color,
  createdAt: labels.createdAt,
};

function nameTaken(e: unknown): unknown {
  return isUniqueViolation(e) ? new DomainError('label_exists', 'A label with this name already exists.') : e;
}

/** Labels of one workspace and which conversations carry them. */
export function labelRepository(tx: Tx, workspaceId: string): LabelStore {
  return {
    async list() {
      return tx
        .select(columns)
        .from(labels)
        .where(eq(labels.workspaceId, workspaceId))
        .orderBy(asc(sql`lower(${labels.name})`), asc(labels.id));
    },
    async get(id) {
      const [row] = await tx
        .select(columns)
        .from(labels)
        .where(and(eq(labels.workspaceId, workspaceId), eq(labels.id, id)));
      return row ?? null;
    },
    async insert(label) {
      try {
        await tx.insert(labels).values({ ...label, workspaceId });
      } catch (e) {
        throw nameTaken(e);
      }
    },
    async update(id, patch) {
      try {
        await tx
          .update(labels)
          .set(patch)
          .where(and(eq(labels.workspaceId, workspaceId), eq(labels.id, id)));
      } catch (e) {
        throw nameTaken(e);
      }
    },
    async delete(id) {
      const gone = await tx
        .delete(labels)
        .where(and(eq(labels.workspaceId, workspaceId), eq(labels.id, id)))
        .returning({ id: labels.id });
      return gone.length > 0;
    },
    async attach(conversationId, labelId) {
      const added = await tx
        .insert(conversationLabels)
        .values({ workspaceId, conversationId, labelId })
        .onConflictDoNothing()
        .returning({ labelId: conversationLabels.labelId });
      return added.length > 0;
    },
    async detach(conversationId, labelId) {
      const gone = await tx
        .delete(conversationLabels)
        .where(
          and(
            eq(conversationLabels.workspaceId, workspaceId),
            eq(conversationLabels.conversationId, conversationId),
            eq(conversationLabels.labelId, labelId),
          ),
        )
        .returning({ labelId: conversationLabels.labelId });
      return gone.length > 0;
    },
  };
}
