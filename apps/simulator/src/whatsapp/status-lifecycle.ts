import { createHash } from 'node:crypto';
import type { SimContext } from '../context.ts';
import type { MessageStatus, SimMessage, SimPhoneNumber, SimThread, WaError } from '../state/model.ts';
import { wabaTargets } from '../webhooks/targets.ts';
import { waStatusPayload } from '../webhooks/whatsapp-payloads.ts';

const RANK: Record<MessageStatus, number> = {
  accepted: 0,
  received: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
  failed: 5,
};

/** Emits a status webhook for an outbound WhatsApp message (monotonic: never goes back). */
export function setWhatsAppStatus(
  ctx: SimContext,
  phone: SimPhoneNumber,
  thread: SimThread,
  message: SimMessage,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  errors?: WaError[],
): void {
  if (message.status === 'failed' || RANK[status] <= RANK[message.status]) return;
  message.status = status;
  if (errors) message.errors = errors;
  ctx.store.touch(thread);
  const waba = ctx.store.wabas.get(phone.wabaId);
  const customer = ctx.store.customers.get(thread.customerId);
  if (!waba || !customer) return;
  const nowMs = ctx.clock.now(phone.id);
  const timestamp = Math.floor(nowMs / 1000).toString();
  const withPricing = status !== 'failed' && message.type !== 'reaction';
  const payload = waStatusPayload(waba, phone, {
    id: message.id,
    status,
    timestamp,
    recipientId: customer.waId ?? '',
    bizOpaque: message.bizOpaque,
    errors,
    pricing: withPricing
      ? { category: message.category, type: message.pricingType, billable: message.pricingType === 'regular' }
      : undefined,
    conversation: withPricing
      ? {
          id: createHash('md5').update(`${thread.key}|${message.category}`).digest('hex'),
          expirationTimestamp: status === 'sent' ? Math.floor(nowMs / 1000 + 86400).toString() : undefined,
          originType: message.pricingType === 'free_entry_point' ? 'referral_conversion' : message.category,
        }
      : undefined,
  });
  for (const target of wabaTargets(ctx.store, waba)) ctx.webhooks.enqueue(target, payload);
}

/**
 * Plays the life of an accepted message: `sent` → `delivered` → (auto) `read`, or a single
 * `failed` status carrying the error (131047, 131026, 131050, …). Reactions only get `sent`.
 */
export function scheduleWhatsAppDelivery(
  ctx: SimContext,
  phone: SimPhoneNumber,
  thread: SimThread,
  message: SimMessage,
  failure: WaError | null,
): void {
  const { sentMs, deliveredMs, readMs } = ctx.timing;
  if (failure) {
    ctx.scheduler.after(sentMs, () => setWhatsAppStatus(ctx, phone, thread, message, 'failed', [failure]));
    return;
  }
  ctx.scheduler.after(sentMs, () => {
    setWhatsAppStatus(ctx, phone, thread, message, 'sent');
    if (message.type === 'reaction') return;
    ctx.scheduler.after(deliveredMs, () => {
      setWhatsAppStatus(ctx, phone, thread, message, 'delivered');
      if (readMs !== null)
        ctx.scheduler.after(readMs, () => setWhatsAppStatus(ctx, phone, thread, message, 'read'));
    });
  });
}

/** The customer opened the chat: every sent/delivered business message becomes `read` (delivered may be skipped). */
export function customerReadsThread(ctx: SimContext, phone: SimPhoneNumber, thread: SimThread): number {
  let count = 0;
  for (const message of thread.messages) {
    if (message.direction !== 'out' || message.type === 'reaction') continue;
    if (message.status === 'sent' || message.status === 'delivered') {
      setWhatsAppStatus(ctx, phone, thread, message, 'read');
      count += 1;
    }
  }
  return count;
}
