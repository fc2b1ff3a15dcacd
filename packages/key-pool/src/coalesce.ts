/**
 * Groups work items by key: while `maxInFlight` runs for a key are in flight, new items wait and
 * go together (up to `maxBatch`) in the next run. A lone item runs at once (next microtask), so
 * coalescing costs no latency when the process is quiet and saves round trips when it is busy.
 */
export class Coalescer<T> {
  readonly #queues = new Map<string, { waiting: T[]; inFlight: number; scheduled: boolean }>();
  readonly #run: (key: string, batch: T[]) => Promise<void>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;

  constructor(run: (key: string, batch: T[]) => Promise<void>, maxBatch: number, maxInFlight: number) {
    this.#run = run;
    this.#maxBatch = maxBatch;
    this.#maxInFlight = maxInFlight;
  }

  /** Queues `item`; `run` must settle every item it is given (it never throws). */
  push(key: string, item: T): void {
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = { waiting: [], inFlight: 0, scheduled: false };
      this.#queues.set(key, queue);
    }
    queue.waiting.push(item);
    this.#schedule(key);
  }

  #schedule(key: string): void {
    const queue = this.#queues.get(key)!;
    if (queue.scheduled || queue.waiting.length === 0 || queue.inFlight >= this.#maxInFlight) return;
    queue.scheduled = true;
    queueMicrotask(() => {
      queue.scheduled = false;
      while (queue.inFlight < this.#maxInFlight && queue.waiting.length > 0) {
        const batch = queue.waiting.splice(0, this.#maxBatch);
        queue.inFlight++;
        this.#run(key, batch).finally(() => {
          queue.inFlight--;
          this.#schedule(key);
        });
      }
    });
  }
}
