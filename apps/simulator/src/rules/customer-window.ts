import type { SimThread } from '../state/model.ts';

/** The 24 h customer service window: open while the customer's last message is < windowMs old. */
export function isWindowOpen(thread: SimThread | undefined, now: number, windowMs: number): boolean {
  return thread?.lastInboundAt != null && now - thread.lastInboundAt < windowMs;
}

/** Free entry point: a reply within 24 h to a Click-to-WhatsApp ad opens a 72 h free window. */
export function isFreeEntryPoint(thread: SimThread | undefined, now: number): boolean {
  return thread?.referralAt != null && now - thread.referralAt < 72 * 3600_000;
}
