import { and, asc, eq } from 'drizzle-orm';
import {
  DomainError,
  type ChannelRecord,
  type ChannelStore,
  type FieldCipher,
  type MetaAppStore,
} from '@parley/core';
import { setScope, type Tx, type TxScope } from '../database.ts';
import { channels, metaApps } from '../schema/index.ts';
import { isUniqueViolation } from './pg-errors.ts';

const CREDENTIALS = 'channels.credentials';

type ChannelRow = typeof channels.$inferSelect;

// Rows are written only through this port, so kind/status hold the unions' values.
function toRecord(r: ChannelRow): ChannelRecord {
  return {
    id: r.id,
    workspaceId: r.workspaceId,
    kind: r.kind as ChannelRecord['kind'],
    name: r.name,
    accountId: r.accountId,
    wabaId: r.wabaId,
    appId: r.appId,
    display: r.display,
    status: r.status as ChannelRecord['status'],
    tokenValid: r.tokenValid,
    qualityRating: r.qualityRating,
    messagingTier: r.messagingTier,
    healthCheckedAt: r.healthCheckedAt,
    lastWebhookAt: r.lastWebhookAt,
    lastError: (r.lastError as ChannelRecord['lastError']) ?? null,
    createdAt: r.createdAt,
  };
}

export function channelRepository(tx: Tx, cipher: FieldCipher): ChannelStore {
  return {
    async insert(channel, credentials) {
      try {
        await tx.insert(channels).values({
          ...channel,
          credentials: await cipher.encrypt(JSON.stringify(credentials), CREDENTIALS),
        });
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new DomainError('channel_taken', 'This account is already connected to another workspace.');
        }
        throw e;
      }
    },
    async get(id) {
      const [row] = await tx.select().from(channels).where(eq(channels.id, id));
      return row ? toRecord(row) : null;
    },
    async findByAccount(kind, accountId) {
      const [row] = await tx
        .select()
        .from(channels)
        .where(and(eq(channels.kind, kind), eq(channels.accountId, accountId)));
      return row ? toRecord(row) : null;
    },
    async list() {
      const rows = await tx.select().from(channels).orderBy(asc(channels.createdAt));
      return rows.map(toRecord);
    },
    async credentials(id) {
      const [row] = await tx.select({ c: channels.credentials }).from(channels).where(eq(channels.id, id));
      if (!row) throw new DomainError('not_found', 'Channel not found.');
      return JSON.parse(await cipher.decryptString(row.c, CREDENTIALS)) as { accessToken: string };
    },
    async update(id, patch) {
      await tx
        .update(channels)
        .set({ ...patch, updatedAt: new Date() })
        .where(eq(channels.id, id));
    },
    async updateCredentials(id, credentials) {
      await tx
        .update(channels)
        .set({
          credentials: await cipher.encrypt(JSON.stringify(credentials), CREDENTIALS),
          updatedAt: new Date(),
        })
        .where(eq(channels.id, id));
    },
  };
}

/** A channel found by Meta's account id, across workspaces (system scope: webhook routing). */
export async function routeChannels(
  tx: Tx,
  kind: string,
  accountId: string,
): Promise<{ id: string; workspaceId: string }[]> {
  return tx
    .select({ id: channels.id, workspaceId: channels.workspaceId })
    .from(channels)
    .where(and(eq(channels.kind, kind), eq(channels.accountId, accountId)));
}

/** WhatsApp channels of a business account (account-level webhooks carry the WABA id). */
export async function routeWabaChannels(
  tx: Tx,
  wabaId: string,
): Promise<{ id: string; workspaceId: string }[]> {
  return tx
    .select({ id: channels.id, workspaceId: channels.workspaceId })
    .from(channels)
    .where(and(eq(channels.kind, 'whatsapp'), eq(channels.wabaId, wabaId)));
}

const APP_SECRET = 'meta_apps.secret';
const APP_VERIFY_TOKEN = 'meta_apps.verify_token';

/**
 * Meta apps, encrypted with the platform key. Registering runs in the system scope inside the
 * caller's transaction and then restores the caller's scope.
 */
export function metaAppRepository(tx: Tx, platformCipher: FieldCipher, restore: TxScope): MetaAppStore {
  return {
    async register(app) {
      await setScope(tx, { system: true });
      try {
        const [row] = await tx.select().from(metaApps).where(eq(metaApps.appId, app.appId));
        if (row) {
          const secret = await platformCipher.decryptString(row.secret, APP_SECRET);
          if (secret !== app.secret) return 'conflict';
          await tx
            .update(metaApps)
            .set({
              verifyToken: await platformCipher.encrypt(app.verifyToken, APP_VERIFY_TOKEN),
              updatedAt: new Date(),
            })
            .where(eq(metaApps.appId, app.appId));
          return 'unchanged';
        }
        await tx.insert(metaApps).values({
          appId: app.appId,
          secret: await platformCipher.encrypt(app.secret, APP_SECRET),
          verifyToken: await platformCipher.encrypt(app.verifyToken, APP_VERIFY_TOKEN),
        });
        return 'created';
      } finally {
        await setScope(tx, restore);
      }
    },
  };
}

/** Every known app with its secret and verify token (system scope: webhook verification). */
export async function loadMetaApps(
  tx: Tx,
  platformCipher: FieldCipher,
): Promise<{ appId: string; secret: string; verifyToken: string }[]> {
  const rows = await tx.select().from(metaApps);
  return Promise.all(
    rows.map(async (r) => ({
      appId: r.appId,
      secret: await platformCipher.decryptString(r.secret, APP_SECRET),
      verifyToken: await platformCipher.decryptString(r.verifyToken, APP_VERIFY_TOKEN),
    })),
  );
}
