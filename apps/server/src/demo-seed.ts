import { newId, randomToken, signUpOwner } from '@parley/core';
import { storesFor, type AppContext } from './app-context.ts';

export const DEMO_OWNER_EMAIL = 'owner@demo.parley.test';

/**
 * On the first start of an empty install (PARLEY_DEMO=true), a demo workspace with an owner
 * account. Returns the credentials to print once, or null when the install already has users.
 */
export async function seedDemoWorkspace(
  ctx: AppContext,
): Promise<{ email: string; password: string } | null> {
  const ids = { userId: newId(), workspaceId: newId() };
  const password = `demo-${randomToken(12)}`;
  return ctx.db.run({ workspaceId: ids.workspaceId, userId: ids.userId }, async (tx) => {
    const stores = storesFor(ctx, tx);
    if ((await stores.identity.countUsers()) > 0) return null;
    await signUpOwner(
      { ...stores, signupMode: 'first-user' },
      { ...ids, email: DEMO_OWNER_EMAIL, password, name: 'Demo Owner', workspaceName: 'Demo Shop', ip: null },
    );
    return { email: DEMO_OWNER_EMAIL, password };
  });
}
