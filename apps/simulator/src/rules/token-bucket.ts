/** A token bucket on real elapsed time (never on the simulated clock). */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private ratePerSecond: number,
    private capacity: number,
    now = performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  configure(ratePerSecond: number, capacity: number): void {
    if (ratePerSecond === this.ratePerSecond && capacity === this.capacity) return;
    this.ratePerSecond = ratePerSecond;
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
  }

  /** Takes one token if available. `force` takes it anyway (inbound traffic cannot be refused). */
  take(now = performance.now(), force = false): boolean {
    const elapsed = (now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerSecond);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    if (force) this.tokens -= 1;
    return false;
  }
}
