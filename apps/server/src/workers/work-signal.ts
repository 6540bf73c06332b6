/** How long after the last delivery the webhook route counts as quiet. */
const QUIET_MS = 50;
/** Under a stream of deliveries, background work pauses this many times its own duration. */
const PAUSE_FACTOR = 4;
const MAX_PAUSE_MS = 250;

/**
 * Wakes this process's workers when work was just stored here (a webhook, a queued send), so it
 * starts at once instead of at the next poll. Other processes find it at their next poll.
 *
 * It also puts acknowledgements first: while this process is receiving webhook deliveries, the
 * workers give way — they work at most a fifth of the time (see `paced`). Meta waits for our
 * 200; the customer's message can reach the inbox a moment later.
 */
export class WorkSignal {
  private waiters: (() => void)[] = [];
  private pending = false;
  private receiving = 0;
  private lastReceivedAt = Number.NEGATIVE_INFINITY;
  private lastUnitMs = 0;

  /** A webhook delivery arrived; call `received()` when it has been answered. */
  receiveStarted(): void {
    this.receiving += 1;
    this.lastReceivedAt = performance.now();
  }

  received(): void {
    this.receiving = Math.max(0, this.receiving - 1);
    this.lastReceivedAt = performance.now();
  }

  /** Deliveries are being received, or the last was answered less than QUIET_MS ago. */
  receivingNow(): boolean {
    return this.receiving > 0 || performance.now() - this.lastReceivedAt < QUIET_MS;
  }

  /**
   * Runs a unit of background work, paced: at once (after pending I/O) when no delivery is being
   * received; otherwise after a pause of PAUSE_FACTOR times the last unit's duration (at most
   * MAX_PAUSE_MS), so under a stream of deliveries the workers of this process take at most
   * 1 / (1 + PAUSE_FACTOR) of the time, and never stop.
   */
  async paced<T>(unit: () => Promise<T>): Promise<T> {
    const pauseMs = Math.min(MAX_PAUSE_MS, PAUSE_FACTOR * this.lastUnitMs);
    await new Promise((resolve) =>
      this.receivingNow() ? setTimeout(resolve, pauseMs) : setImmediate(resolve),
    );
    const started = performance.now();
    try {
      return await unit();
    } finally {
      this.lastUnitMs = performance.now() - started;
    }
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
