import { and, desc, eq, exists, gt, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import {
  decodeTimeCursor,
  DomainError,
  encodeTimeCursor,
  type ConversationRecord,
  type ConversationStore,
  type FieldCipher,
} from '@parley/core';
import type { Tx } from '../database.ts';
import { conversationLabels, conversations, messages } from '../schema/index.ts';

const PREVIEW = 'conversations.last_preview';

const columns = {
  id: conversations.id,
  workspaceId: conversations.workspaceId,
  contactId: conversations.contactId,
  channelId: conversations.channelId,
  status: conversations.status,
  assigneeId: conversations.assigneeId,
  teamId: conversations.teamId,
  snoozedUntil: conversations.snoozedUntil,
  lastMessageAt: conversations.lastMessageAt,
  lastInboundAt: conversations.lastInboundAt,
  unreadCount: conversations.unreadCount,
  lastPreview: conversations.lastPreview,
  createdAt: conversations.createdAt,
  updatedAt: conversations.updatedAt,
  labelIds: sql<string[]>`coalesce((select array_agg(cl.label_id::text order by cl.created_at)
    from conversation_labels cl where cl.conversation_id = ${conversations.id}), '{}')`,
};

const selectConversations = (tx: Tx) => tx.select(columns).from(conversations);
type Row = Awaited<ReturnType<typeof selectConversations>>[number];

/** Conversations, newest activity first; the list preview is encrypted like the messages. */
export function conversationRepository(tx: Tx, cipher: FieldCipher): ConversationStore {
  const toRecord = async (r: Row): Promise<ConversationRecord> => ({
    ...r,
    status: r.status as ConversationRecord['status'],
    lastPreview: r.lastPreview ? await cipher.decryptString(r.lastPreview, PREVIEW) : null,
  });
  const one = async (where: SQL) => {
    const [row] = await selectConversations(tx).where(where);
    return row ? toRecord(row) : null;
  };
  return {
    async findByContacts(channelId, contactIds) {
      if (contactIds.length === 0) return [];
      const rows = await selectConversations(tx).where(
        and(
          eq(conversations.channelId, channelId),
          inArray(conversations.contactId, [...new Set(contactIds)]),
        ),
      );
      return Promise.all(rows.map(toRecord));
    },
    async insert(c) {
      await tx.insert(conversations).values({
        ...c,
        lastPreview: c.lastPreview === null ? null : await cipher.encrypt(c.lastPreview, PREVIEW),
      });
    },
    get: (id) => one(eq(conversations.id, id)),
    async update(id, patch) {
      await tx
        .update(conversations)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(conversations.id, id));
    },
    async recordMessages(id, m) {
      const preview = m.preview === null ? null : await cipher.encrypt(m.preview.text, PREVIEW);
      const previewAt = m.preview?.at.toISOString() ?? null;
      const at = m.at.toISOString();
      const inboundAt = m.inboundAt?.toISOString() ?? null;
      // One statement: the update answers with the conversation as it now is.
      const [row] = await tx
        .update(conversations)
        .set({
          lastPreview: sql`case when ${preview}::bytea is not null and ${previewAt}::timestamptz >= ${conversations.lastMessageAt}
                                then ${preview}::bytea else ${conversations.lastPreview} end`,
          lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${at}::timestamptz)`,
          lastInboundAt: sql`greatest(${conversations.lastInboundAt}, ${inboundAt}::timestamptz)`,
          unreadCount: sql`${conversations.unreadCount} + ${m.inbound}::int`,
          status: sql`case when ${m.inbound}::int > 0 and ${conversations.status} in ('resolved', 'snoozed') then 'open'
                           else ${conversations.status} end`,
          snoozedUntil: sql`case when ${m.inbound}::int > 0 then null else ${conversations.snoozedUntil} end`,
          updatedAt: sql`now()`,
        })
        .where(eq(conversations.id, id))
        .returning(columns);
      if (!row) throw new DomainError('not_found', 'Conversation not found.');
      return toRecord(row);
    },
    async list(filter, page) {
      const conds: (SQL | undefined)[] = [];
      if (filter.status) conds.push(eq(conversations.status, filter.status));
      if (filter.channelId) conds.push(eq(conversations.channelId, filter.channelId));
      if (filter.contactId) conds.push(eq(conversations.contactId, filter.contactId));
      if (filter.assigneeId === 'none') conds.push(isNull(conversations.assigneeId));
      else if (filter.assigneeId) conds.push(eq(conversations.assigneeId, filter.assigneeId));
      if (filter.teamId) conds.push(eq(conversations.teamId, filter.teamId));
      if (filter.unread === true) conds.push(gt(conversations.unreadCount, 0));
      if (filter.unread === false) conds.push(eq(conversations.unreadCount, 0));
      if (filter.labelId) {
        conds.push(
          exists(
            tx
              .select({ one: sql`1` })
              .from(conversationLabels)
              .where(
                and(
                  eq(conversationLabels.conversationId, conversations.id),
                  eq(conversationLabels.labelId, filter.labelId),
                ),
              ),
          ),
        );
      }
      if (filter.searchTokens && filter.searchTokens.length > 0) {
        const tokens = sql`array[${sql.join(
          filter.searchTokens.map((t) => sql`${t}`),
          sql`, `,
        )}]::text[]`;
        conds.push(
          exists(
            tx
              .select({ one: sql`1` })
              .from(messages)
              .where(
                and(
                  eq(messages.conversationId, conversations.id),
                  sql`${messages.searchTokens} @> ${tokens}`,
                ),
              ),
          ),
        );
      }
      if (page.cursor) {
        const { t, id: cid } = decodeTimeCursor(page.cursor);
        conds.push(
          or(
            lt(conversations.lastMessageAt, t),
            and(eq(conversations.lastMessageAt, t), lt(conversations.id, cid)),
          ),
        );
      }
      const rows = await selectConversations(tx)
        .where(and(...conds))
        .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
        .limit(page.limit + 1);
      const items = await Promise.all(rows.slice(0, page.limit).map(toRecord));
      const last = items[items.length - 1];
      return {
        items,
        nextCursor:
          rows.length > page.limit && last ? encodeTimeCursor({ t: last.lastMessageAt, id: last.id }) : null,
      };
    },
    async dueSnoozed(now, limit) {
      const rows = await selectConversations(tx)
        .where(and(eq(conversations.status, 'snoozed'), lte(conversations.snoozedUntil, now)))
        .limit(limit);
      return Promise.all(rows.map(toRecord));
    },
  };
}
