import {
  connectChannel,
  newId,
  randomToken,
  signUpOwner,
  wrappedKeyMasterId,
  type Actor,
} from '@parley/core';
import { dataKeyRepository, metaAppRepository } from '@parley/db';
import { conversationStoresFor, storesFor, type AppContext } from './app-context.ts';

export const DEMO_OWNER_EMAIL = 'owner@demo.parley.test';

/**
 * On the first start of an empty install (PARLEY_DEMO=true), a demo workspace with an owner
 * account. Returns the credentials to print once, or null when the install already has users.
 */
export async function seedDemoWorkspace(
  ctx: AppContext,
): Promise<{ email: string; password: string; userId: string; workspaceId: string } | null> {
  const ids = { userId: newId(), workspaceId: newId() };
  const password = `demo-${randomToken(12)}`;
  return ctx.db.run({ workspaceId: ids.workspaceId, userId: ids.userId }, async (tx) => {
    const stores = storesFor(ctx, tx);
    if ((await stores.identity.countUsers()) > 0) return null;
    await signUpOwner(
      { ...stores, signupMode: 'first-user' },
      { ...ids, email: DEMO_OWNER_EMAIL, password, name: 'Demo Owner', workspaceName: 'Demo Shop', ip: null },
    );
    return { email: DEMO_OWNER_EMAIL, password, ...ids };
  });
}

/** The simulator's demo accounts (docs/simulator.md, "Default seed"). */
export const DEMO_CHANNELS = [
  {
    kind: 'whatsapp',
    name: 'Demo Bakery WhatsApp',
    accountId: '400000000000001',
    wabaId: '300000000000001',
    accessToken: 'sim-access-token',
  },
  {
    kind: 'messenger',
    name: 'Demo Bakery Page',
    accountId: '500000000000001',
    accessToken: 'sim-page-token',
  },
  { kind: 'instagram', name: '@demo.bakery', accountId: '17841400000000001', accessToken: 'sim-page-token' },
] as const;

/**
 * Connects the demo workspace to the built-in simulator's number, page and Instagram account,
 * through the same use case as the settings form (so the Graph API checks the tokens).
 */
export async function connectDemoChannels(
  ctx: AppContext,
  demo: { userId: string; workspaceId: string },
): Promise<string[]> {
  const app = ctx.config.meta.app;
  if (!app) return [];
  const connected: string[] = [];
  for (const channel of DEMO_CHANNELS) {
    try {
      await ctx.db.run({ workspaceId: demo.workspaceId, userId: demo.userId }, async (tx) => {
        const stores = conversationStoresFor(ctx, tx, demo.workspaceId);
        const platformCipher = ctx.keyring.fieldCipher(dataKeyRepository(tx, wrappedKeyMasterId), null);
        const actor: Actor = {
          kind: 'user',
          userId: demo.userId,
          sessionId: newId(),
          workspaceId: demo.workspaceId,
          role: 'owner',
          supportGrantId: null,
        };
        await connectChannel(
          {
            ...stores,
            metaApps: metaAppRepository(tx, platformCipher, { workspaceId: demo.workspaceId }),
            gateway: ctx.gateway,
          },
          actor,
          { ...channel, appId: app.id, appSecret: app.secret, verifyToken: app.verifyToken, ip: null },
        );
      });
      connected.push(channel.name);
    } catch (err) {
      ctx.logger.warn({ err, channel: channel.name }, 'could not connect a demo channel');
    }
  }
  return connected;
}
