/**
 * The simulator's notion of "now". Every account (phone number, page, Instagram account) has
 * an offset that tests can move forward to cross the 24-hour window without waiting.
 * Rate limiters do not use this clock (they use real elapsed time), so jumping ahead never
 * refills a token bucket.
 */
export class SimClock {
  private globalOffsetMs = 0;
  private readonly offsets = new Map<string, number>();

  now(accountId?: string): number {
    const own = accountId === undefined ? 0 : (this.offsets.get(accountId) ?? 0);
    return Date.now() + this.globalOffsetMs + own;
  }

  /** Unix seconds as a string, the way WhatsApp webhooks carry timestamps. */
  seconds(accountId?: string): string {
    return Math.floor(this.now(accountId) / 1000).toString();
  }

  advance(ms: number, accountId?: string): void {
    if (accountId === undefined) {
      this.globalOffsetMs += ms;
      return;
    }
    this.offsets.set(accountId, (this.offsets.get(accountId) ?? 0) + ms);
  }

  offset(accountId?: string): number {
    return this.globalOffsetMs + (accountId === undefined ? 0 : (this.offsets.get(accountId) ?? 0));
  }

  reset(): void {
    this.globalOffsetMs = 0;
    this.offsets.clear();
  }
}
