export interface DeliveryBatcherOptions {
  /** Batches being stored at the same time (each holds one database connection while it runs). */
  maxConcurrent: number;
  /** Most deliveries in one batch. */
  maxItems: number;
  /** Most body bytes in one batch (a single larger delivery still goes alone). */
  maxBytes: number;
  /**
   * How long the first delivery of a batch that is not full waits for others (0: only for those
   * read in the same turn of the event loop). Each batch costs a few database round trips, so at
   * moderate rates a short wait buys much bigger batches and far less CPU per delivery.
   */
  lingerMs: number;
}

interface Waiting<T, R> {
  item: T;
  bytes: number;
  /** performance.now() when it was submitted. */
  since: number;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for webhook deliveries. A delivery waits at most `lingerMs` for company, then goes
 * when a batch slot is free; while `maxConcurrent` batches are being written, the deliveries that
 * arrive wait and go together in the next one. So a busy server pays one transaction per batch
 * instead of one per delivery. Each caller's promise settles only when its batch has committed,
 * or rejects with the batch's error: nothing is acknowledged before it is stored.
 */
export class DeliveryBatcher<T, R> {
  private queue: Waiting<T, R>[] = [];
  private running = 0;
  private scheduled = false;
  private lingering: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: (items: T[]) => Promise<R[]>,
    private readonly sizeOf: (item: T) => number,
    private readonly options: DeliveryBatcherOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, bytes: this.sizeOf(item), since: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /**
   * Flushes when a slot is free and the batch is full or its first delivery has lingered long
   * enough — but never before the requests read in this turn of the event loop have joined
   * (setImmediate runs after the pending I/O callbacks): an embedded database (PGlite) answers
   * without yielding to the event loop, so flushing straight away would store one at a time.
   */
  private schedule(): void {
    const first = this.queue[0];
    if (this.scheduled || !first || this.running >= this.options.maxConcurrent) return;
    const waitMs = this.options.lingerMs - (performance.now() - first.since);
    if (this.queue.length < this.options.maxItems && waitMs > 0) {
      this.lingering ??= setTimeout(() => {
        this.lingering = null;
        this.schedule();
      }, Math.ceil(waitMs));
      return;
    }
    if (this.lingering) clearTimeout(this.lingering);
    this.lingering = null;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrent && this.queue.length > 0) {
      let count = 0;
      let bytes = 0;
      for (const w of this.queue) {
        if (count > 0 && (count >= this.options.maxItems || bytes + w.bytes > this.options.maxBytes)) break;
        count += 1;
        bytes += w.bytes;
      }
      const batch = this.queue.splice(0, count);
      this.running += 1;
      void this.run(batch);
    }
  }

  private async run(batch: Waiting<T, R>[]): Promise<void> {
    let results: R[] | null = null;
    let failure: unknown = null;
    try {
      results = await this.store(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error('a batch must answer for each of its items');
    } catch (err) {
      results = null;
      failure = err;
    }
    // The slot is free before the callers hear back, so what they send next can go at once.
    this.running -= 1;
    this.schedule();
    const stored = results;
    if (stored) batch.forEach((w, i) => w.resolve(stored[i] as R));
    else for (const w of batch) w.reject(failure);
  }
}
