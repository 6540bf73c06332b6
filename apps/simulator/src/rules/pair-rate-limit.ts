import { TokenBucket } from './token-bucket.ts';

/**
 * One business number → one user: about one message per 6 seconds sustained, with a burst
 * that borrows from future quota. Excess → 131056 for that pair only.
 */
export class PairRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  tryTake(phoneNumberId: string, recipient: string, ratePerSecond: number, burst: number): boolean {
    const key = `${phoneNumberId}|${recipient}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(ratePerSecond, burst);
      this.buckets.set(key, bucket);
      if (this.buckets.size > 200_000) this.prune(key);
    } else {
      bucket.configure(ratePerSecond, burst);
    }
    return bucket.take();
  }

  reset(): void {
    this.buckets.clear();
  }

  /** Bounds memory under load tests: forget the oldest pairs (they are probably refilled). */
  private prune(keep: string): void {
    let n = 0;
    for (const key of this.buckets.keys()) {
      if (key !== keep) this.buckets.delete(key);
      n += 1;
      if (n >= 50_000) break;
    }
  }
}
