/**
 * Events inside a rolling 60 s window: an event at `t` counts while `now - t < 60 000`. A deque
 * of timestamps (and optional weights, for tokens) with a running sum: O(1) amortised per event,
 * which keeps the emulator cheap at hundreds of requests per second.
 */
export class RollingWindow {
  static readonly SPAN_MS = 60_000;
  #times: number[] = [];
  #weights: number[] = [];
  #head = 0;
  #sum = 0;

  /** Drops events that left the window ending at `now`. */
  prune(now: number): void {
    const floor = now - RollingWindow.SPAN_MS;
    while (this.#head < this.#times.length && this.#times[this.#head]! <= floor) {
      this.#sum -= this.#weights[this.#head]!;
      this.#head++;
    }
    // Compact once the dead prefix dominates, so memory stays proportional to the live window.
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#weights = this.#weights.slice(this.#head);
      this.#head = 0;
    }
  }

  add(now: number, weight = 1): void {
    this.#times.push(now);
    this.#weights.push(weight);
    this.#sum += weight;
  }

  /** Number of events in the window ending at `now`. */
  count(now: number): number {
    this.prune(now);
    return this.#times.length - this.#head;
  }

  /** Sum of weights in the window ending at `now`. */
  sum(now: number): number {
    this.prune(now);
    return this.#sum;
  }

  /** When the window ending at `now` will have dropped enough events to hold `weight` more under `limit`. */
  freeAt(now: number, limit: number, weight = 1): number {
    this.prune(now);
    let excess = this.#sum + weight - limit;
    for (let i = this.#head; i < this.#times.length; i++) {
      if (excess <= 0) return now;
      excess -= this.#weights[i]!;
      if (excess <= 0) return this.#times[i]! + RollingWindow.SPAN_MS;
    }
    // More than the limit on its own (e.g. a prompt above the TPM): one full window.
    return now + RollingWindow.SPAN_MS;
  }

  clear(): void {
    this.#times = [];
    this.#weights = [];
    this.#head = 0;
    this.#sum = 0;
  }
}
