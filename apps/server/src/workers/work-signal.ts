/**
 * Wakes this process's workers when work was just stored here (a webhook, a queued send), so it
 * starts at once instead of at the next poll. Other processes find it at their next poll.
 */
export class WorkSignal {
  private waiters: (() => void)[] = [];
  private pending = false;

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
