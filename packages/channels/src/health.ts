import type { HealthReport } from './channel-provider.ts';
import { ChannelError, type ClassifiedFailure } from './failure.ts';

/** 100 / 33: the object does not exist or this token cannot reach it (Meta answers both alike). */
function unreachableObject(failure: ClassifiedFailure): boolean {
  return failure.code === 100 && failure.subcode === 33;
}

/**
 * A health check that Meta answered with an error. Token and permission errors, and an account the
 * token cannot reach, mean `tokenValid: false`. Throttling and outages mean we could not check:
 * they throw a retryable `ChannelError`, like a network failure. Anything else keeps the token valid
 * and reports the error.
 */
export function healthFromFailure(failure: ClassifiedFailure, channel: string): HealthReport {
  if (failure.class === 'auth_revoked' || unreachableObject(failure))
    return { tokenValid: false, error: failure };
  if (failure.class === 'retryable' || failure.class === 'rate_limited') {
    throw new ChannelError(`${channel} health check failed: ${failure.class} (${failure.code})`, failure);
  }
  return { tokenValid: true, error: failure };
}
