import type { SimContext } from '../context.ts';
import type { Channel, SimCustomer, SimPage } from '../state/model.ts';

/** A Messenger page or an Instagram professional account, seen uniformly. */
export interface MessagingAccount {
  channel: Exclude<Channel, 'whatsapp'>;
  id: string;
  page: SimPage;
  object: 'page' | 'instagram';
}

export function messagingAccount(ctx: SimContext, id: string): MessagingAccount | undefined {
  const page = ctx.store.pages.get(id);
  if (page) return { channel: 'messenger', id, page, object: 'page' };
  const ig = ctx.store.instagrams.get(id);
  const igPage = ig ? ctx.store.pages.get(ig.pageId) : undefined;
  if (ig && igPage) return { channel: 'instagram', id, page: igPage, object: 'instagram' };
  return undefined;
}

/** The id the customer shows to this Page (PSID) or Instagram account (IGSID). */
export function scopedId(ctx: SimContext, account: MessagingAccount, customer: SimCustomer): string {
  return ctx.store.scopedId(account.id, customer);
}

export function customerByScopedId(
  ctx: SimContext,
  account: MessagingAccount,
  id: string,
): SimCustomer | undefined {
  return ctx.store.customerByScopedId(account.id, id);
}
