import { and, desc, eq, inArray, lte, ne, or, lt, type SQL } from 'drizzle-orm';
import {
  decodeTimeCursor,
  encodeTimeCursor,
  searchWords,
  type FieldCipher,
  type MessageContent,
  type MessageRecord,
  type MessageStore,
  type NewMessage,
  type Referral,
} from '@parley/core';
import type { Tx } from '../database.ts';
import { mediaObjects, messages } from '../schema/index.ts';

const CONTENT = 'messages.content';
const SEARCH = 'messages.search';

type MessageRow = typeof messages.$inferSelect;
type MediaRow = Pick<typeof mediaObjects.$inferSelect, 'id' | 'status' | 'mimeType' | 'sizeBytes'>;

const selection = {
  m: messages,
  media: {
    id: mediaObjects.id,
    status: mediaObjects.status,
    mimeType: mediaObjects.mimeType,
    sizeBytes: mediaObjects.sizeBytes,
  },
};

/** Messages with their content encrypted and their words blind-indexed for search. */
export function messageRepository(tx: Tx, cipher: FieldCipher): MessageStore {
  const toRecord = async (r: MessageRow, media: MediaRow | null): Promise<MessageRecord> => {
    const stored = JSON.parse(await cipher.decryptString(r.content, CONTENT)) as {
      content: MessageContent;
      referral: Referral | null;
    };
    // Text columns hold only values written through this port (see the MessageRecord unions).
    return {
      id: r.id,
      workspaceId: r.workspaceId,
      conversationId: r.conversationId,
      channelId: r.channelId,
      direction: r.direction as MessageRecord['direction'],
      kind: r.kind as MessageRecord['kind'],
      content: stored.content,
      referral: stored.referral ?? null,
      providerMessageId: r.providerMessageId,
      replyToId: r.replyToId,
      status: r.status as MessageRecord['status'],
      error:
        r.errorCode !== null
          ? { code: r.errorCode, class: (r.errorClass ?? 'unknown') as never, title: r.errorTitle ?? '' }
          : null,
      providerTimestamp: r.providerTimestamp,
      statusAt: r.statusAt,
      authorType: r.authorType as MessageRecord['authorType'],
      authorId: r.authorId,
      humanAgent: r.humanAgent,
      idempotencyKey: r.idempotencyKey,
      requestHash: r.requestHash,
      media: media?.id ? { ...media, status: media.status as 'pending' | 'stored' | 'failed' } : null,
      createdAt: r.createdAt,
    };
  };
  const one = async (where: SQL | undefined) => {
    const [row] = await tx
      .select(selection)
      .from(messages)
      .leftJoin(mediaObjects, eq(mediaObjects.messageId, messages.id))
      .where(where)
      .limit(1);
    return row ? toRecord(row.m, row.media) : null;
  };
  const toRow = async (m: NewMessage): Promise<typeof messages.$inferInsert> => ({
    id: m.id,
    workspaceId: m.workspaceId,
    conversationId: m.conversationId,
    channelId: m.channelId,
    direction: m.direction,
    kind: m.kind,
    type: m.content.type,
    content: await cipher.encrypt(JSON.stringify({ content: m.content, referral: m.referral }), CONTENT),
    providerMessageId: m.providerMessageId,
    replyToId: m.replyToId,
    status: m.status,
    errorCode: m.error?.code ?? null,
    errorClass: m.error?.class ?? null,
    errorTitle: m.error?.title ?? null,
    providerTimestamp: m.providerTimestamp,
    statusAt: m.statusAt,
    authorType: m.authorType,
    authorId: m.authorId,
    humanAgent: m.humanAgent,
    idempotencyKey: m.idempotencyKey,
    requestHash: m.requestHash,
    searchTokens: m.searchText
      ? await Promise.all(searchWords(m.searchText).map((w) => cipher.blindIndex(w, SEARCH)))
      : [],
  });
  /** One statement for all; a duplicate (same provider id or idempotency key) is skipped. */
  const insertMany = async (list: NewMessage[]): Promise<Set<string>> => {
    if (list.length === 0) return new Set();
    const inserted = await tx
      .insert(messages)
      .values(await Promise.all(list.map(toRow)))
      .onConflictDoNothing()
      .returning({ id: messages.id });
    return new Set(inserted.map((r) => r.id));
  };
  return {
    async insert(m) {
      return (await insertMany([m])).size > 0;
    },
    insertMany,
    get: (id) => one(eq(messages.id, id)),
    async setContent(id, content) {
      const [row] = await tx.select({ content: messages.content }).from(messages).where(eq(messages.id, id));
      if (!row) return;
      const stored = JSON.parse(await cipher.decryptString(row.content, CONTENT)) as {
        referral?: Referral | null;
      };
      await tx
        .update(messages)
        .set({
          type: content.type,
          content: await cipher.encrypt(
            JSON.stringify({ content, referral: stored.referral ?? null }),
            CONTENT,
          ),
        })
        .where(eq(messages.id, id));
    },
    findByProviderId: (channelId, pid) =>
      one(and(eq(messages.channelId, channelId), eq(messages.providerMessageId, pid))),
    findByIdempotencyKey: (key) => one(eq(messages.idempotencyKey, key)),
    async timeline(conversationId, page) {
      const conds: (SQL | undefined)[] = [eq(messages.conversationId, conversationId)];
      if (page.before) {
        const { t, id } = decodeTimeCursor(page.before);
        conds.push(
          or(lt(messages.providerTimestamp, t), and(eq(messages.providerTimestamp, t), lt(messages.id, id))),
        );
      }
      const rows = await tx
        .select(selection)
        .from(messages)
        .leftJoin(mediaObjects, eq(mediaObjects.messageId, messages.id))
        .where(and(...conds))
        .orderBy(desc(messages.providerTimestamp), desc(messages.id))
        .limit(page.limit + 1);
      const items = await Promise.all(rows.slice(0, page.limit).map((r) => toRecord(r.m, r.media)));
      const last = items[items.length - 1];
      return {
        items,
        nextCursor:
          rows.length > page.limit && last
            ? encodeTimeCursor({ t: last.providerTimestamp, id: last.id })
            : null,
      };
    },
    async setStatus(id, status, at, error) {
      await tx
        .update(messages)
        .set({
          status,
          statusAt: at,
          ...(error ? { errorCode: error.code, errorClass: error.class, errorTitle: error.title } : {}),
        })
        .where(eq(messages.id, id));
    },
    async setProviderId(id, pid) {
      const [own] = await tx
        .select({ channelId: messages.channelId })
        .from(messages)
        .where(eq(messages.id, id));
      if (!own) return;
      // A Messenger/IG echo of this very message may have been stored before the send finished.
      await tx
        .delete(messages)
        .where(
          and(
            eq(messages.channelId, own.channelId),
            eq(messages.providerMessageId, pid),
            eq(messages.authorType, 'echo'),
            ne(messages.id, id),
          ),
        );
      await tx.update(messages).set({ providerMessageId: pid }).where(eq(messages.id, id));
    },
    async outboundBefore(conversationId, at, below) {
      if (below.length === 0) return [];
      const rows = await tx
        .select(selection)
        .from(messages)
        .leftJoin(mediaObjects, eq(mediaObjects.messageId, messages.id))
        .where(
          and(
            eq(messages.conversationId, conversationId),
            eq(messages.direction, 'outbound'),
            eq(messages.kind, 'message'),
            lte(messages.providerTimestamp, at),
            inArray(messages.status, below),
          ),
        );
      return Promise.all(rows.map((r) => toRecord(r.m, r.media)));
    },
    async latestInbound(conversationId) {
      const [row] = await tx
        .select(selection)
        .from(messages)
        .leftJoin(mediaObjects, eq(mediaObjects.messageId, messages.id))
        .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'inbound')))
        .orderBy(desc(messages.providerTimestamp), desc(messages.id))
        .limit(1);
      return row ? toRecord(row.m, row.media) : null;
    },
  };
}

/** For `sql` callers that need the search index of a word (same keyed hash as on insert). */
export function messageSearchToken(cipher: FieldCipher, word: string): Promise<string> {
  return cipher.blindIndex(word, SEARCH);
}
