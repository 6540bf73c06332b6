import { TokenBucket } from './token-bucket.ts';

/**
 * Messages per second per business phone number, counting inbound and outbound (Meta: 80 mps
 * by default, up to 1,000). A bucket of one second's worth: bursts up to the rate are fine.
 */
export class ThroughputLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  private bucket(phoneNumberId: string, mps: number): TokenBucket {
    let bucket = this.buckets.get(phoneNumberId);
    if (!bucket) {
      bucket = new TokenBucket(mps, mps);
      this.buckets.set(phoneNumberId, bucket);
    } else {
      bucket.configure(mps, mps);
    }
    return bucket;
  }

  /** Outbound send: false ⇒ 130429. */
  tryTake(phoneNumberId: string, mps: number): boolean {
    return this.bucket(phoneNumberId, mps).take();
  }

  /** Inbound traffic consumes capacity but is never refused. */
  consume(phoneNumberId: string, mps: number): void {
    this.bucket(phoneNumberId, mps).take(performance.now(), true);
  }

  reset(phoneNumberId?: string): void {
    if (phoneNumberId === undefined) this.buckets.clear();
    else this.buckets.delete(phoneNumberId);
  }
}
