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

export function scopedId(account: MessagingAccount, customer: SimCustomer): string {
  return account.channel === 'instagram' ? customer.igsid : customer.psid;
}

export function customerByScopedId(
  ctx: SimContext,
  account: MessagingAccount,
  id: string,
): SimCustomer | undefined {
  return account.channel === 'instagram' ? ctx.store.customerByIgsid(id) : ctx.store.customerByPsid(id);
}
