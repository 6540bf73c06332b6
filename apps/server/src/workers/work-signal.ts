/**
 * Wakes this process's workers when work was just stored here (a webhook, a queued send), so it
 * starts at once instead of at the next poll. Other processes find it at their next poll.
 *
 * It also puts acknowledgements first: while webhook deliveries are being received and stored in
 * this process, the workers give way between chunks (up to a bound, so processing never stops).
 * Meta waits for our 200; the customer's message can reach the inbox a moment later.
 */
export class WorkSignal {
  private waiters: (() => void)[] = [];
  private pending = false;
  private receiving = 0;
  private yielders: (() => void)[] = [];

  /** A webhook delivery arrived; call `received()` when it has been answered. */
  receiveStarted(): void {
    this.receiving += 1;
  }

  received(): void {
    this.receiving = Math.max(0, this.receiving - 1);
    if (this.receiving > 0) return;
    const yielders = this.yielders;
    this.yielders = [];
    for (const y of yielders) y();
  }

  /** Resolves when no delivery is being received here, or after `maxMs` at the latest. */
  giveWay(maxMs: number): Promise<void> {
    if (this.receiving === 0) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.yielders = this.yielders.filter((y) => y !== done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.yielders.push(done);
    });
  }

  notify(): void {
    this.pending = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves on the next notify (or at once if one came since the last wait), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }
}
