import { DomainError } from '../shared/domain-error.ts';
import type { RateLimitStore } from './identity-store.ts';
import type { AuthPolicy } from './auth-policy.ts';

/**
 * Counts one authentication attempt against every key (e.g. `login:ip:1.2.3.4` and
 * `login:account:ana@x`); throws `rate_limited` with a retry delay once any key is over the limit.
 */
export async function enforceAuthRateLimit(
  store: RateLimitStore,
  keys: string[],
  policy: Pick<AuthPolicy, 'rateLimitMax' | 'rateLimitWindowMs'>,
  now: Date,
): Promise<void> {
  let retryAfterSeconds = 0;
  for (const key of keys) {
    const { count, resetAt } = await store.hit(key, policy.rateLimitWindowMs, now);
    if (count > policy.rateLimitMax) {
      retryAfterSeconds = Math.max(retryAfterSeconds, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
    }
  }
  if (retryAfterSeconds > 0) {
    throw new DomainError('rate_limited', 'Too many attempts. Try again later.', {
      retryAfterSeconds,
      audit: {
        action: 'auth.rate_limited',
        actorType: 'anonymous',
        metadata: { limits: keys.map((k) => k.split(':').slice(0, 2).join(':')) },
      },
    });
  }
}
