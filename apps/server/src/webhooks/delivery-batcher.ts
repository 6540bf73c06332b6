export interface DeliveryBatcherOptions {
  /** Batches being stored at the same time (each holds one database connection while it runs). */
  maxConcurrent: number;
  /** Most deliveries in one batch. */
  maxItems: number;
  /** Most body bytes in one batch (a single larger delivery still goes alone). */
  maxBytes: number;
}

interface Waiting<T, R> {
  item: T;
  bytes: number;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for webhook deliveries. A delivery is stored at once when a batch slot is free;
 * while `maxConcurrent` batches are being written, the deliveries that arrive wait and go
 * together in the next one. So a quiet server stores each delivery on its own (no added
 * latency) and a busy one pays one transaction per batch instead of one per delivery. Each
 * caller's promise settles only when its batch has committed, or rejects with the batch's error:
 * nothing is acknowledged before it is stored.
 */
export class DeliveryBatcher<T, R> {
  private queue: Waiting<T, R>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly store: (items: T[]) => Promise<R[]>,
    private readonly sizeOf: (item: T) => number,
    private readonly options: DeliveryBatcherOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, bytes: this.sizeOf(item), resolve, reject });
      this.schedule();
    });
  }

  /**
   * Flushes after the requests read in this turn of the event loop have joined the queue
   * (setImmediate runs after the pending I/O callbacks). An embedded database (PGlite) answers
   * without yielding to the event loop, so flushing straight away would store one at a time.
   */
  private schedule(): void {
    if (this.scheduled || this.running >= this.options.maxConcurrent) return;
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
