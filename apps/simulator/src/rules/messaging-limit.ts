import type { SimBusiness } from '../state/model.ts';

const DAY_MS = 24 * 3600_000;

/** Forgets users reached more than 24 h ago (the map is kept in reach order). */
function prune(business: SimBusiness, now: number): void {
  for (const [id, at] of business.reached) {
    if (now - at < DAY_MS) break;
    business.reached.delete(id);
  }
}

/**
 * Portfolio messaging limit: unique users reached with business-initiated messages outside a
 * customer service window per moving 24 h, shared by every number of the business portfolio.
 * Returns false when reaching this user would exceed the tier (the user is then not counted).
 */
export function reachUser(business: SimBusiness, customerId: string, now: number): boolean {
  prune(business, now);
  const last = business.reached.get(customerId);
  if (last !== undefined && now - last < DAY_MS) return true;
  if (business.messagingLimit !== -1 && business.reached.size >= business.messagingLimit) return false;
  business.reached.delete(customerId);
  business.reached.set(customerId, now);
  return true;
}

export function uniqueUsersLast24h(business: SimBusiness, now: number): number {
  prune(business, now);
  return business.reached.size;
}

/** Legacy tier names (`messaging_limit_tier`, `whatsapp_business_manager_messaging_limit`). */
export function tierName(limit: number): string {
  switch (limit) {
    case 250:
      return 'TIER_250';
    case 1000:
      return 'TIER_1K';
    case 2000:
      return 'TIER_2K';
    case 10000:
      return 'TIER_10K';
    case 100000:
      return 'TIER_100K';
    default:
      return 'TIER_UNLIMITED';
  }
}
