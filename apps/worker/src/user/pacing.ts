import type { Logger } from '@mealwise/logging';
import { type Queue, RateLimitError } from 'bullmq';
import type { ClassifiedFailure } from './ports.ts';

export interface PacingOptions {
  queue: Pick<Queue, 'rateLimit' | 'getRateLimitTtl'>;
  /**
   * Longest single pause (ms). A pause until Pacific midnight is taken in steps of this size, so
   * capacity that comes back early (a key added, a counter reset by an operator) is used.
   */
  maxPauseMs: number;
  /** How long to wait before re-checking after a configuration failure (ms). */
  configRecheckMs: number;
  logger: Logger;
  /** Called on every pause (metrics). */
  onPause?: (failure: ClassifiedFailure) => void;
  now?: () => number;
}

/**
 * Quota-aware pacing. When the pool has no capacity until T, **every** worker pauses until T
 * (`queue.rateLimit` is global to the queue) and the job goes back to wait without spending an
 * attempt (`RateLimitError`). A configuration failure (all keys invalid, model not found) pauses
 * longer and is logged as one clear error per check, not once per queued user.
 */
export class Pacing {
  readonly #o: Required<Omit<PacingOptions, 'now' | 'onPause'>> &
    Pick<PacingOptions, 'onPause'> & { now: () => number };
  #loggedUntil = 0;

  constructor(options: PacingOptions) {
    this.#o = { now: Date.now, ...options };
  }

  /** How long to pause for this failure (ms). */
  pauseMs(failure: ClassifiedFailure): number {
    if (failure.kind === 'config') return this.#o.configRecheckMs;
    // Redis' own "how long" when the pool gave one: this worker's clock may differ from Redis'.
    const wait =
      failure.retryAfterMs ??
      (failure.retryAt === null ? this.#o.maxPauseMs : failure.retryAt - this.#o.now());
    return Math.max(50, Math.min(wait, this.#o.maxPauseMs));
  }

  /** Pauses the queue and throws BullMQ's RateLimitError (the job returns to wait). */
  async pause(failure: ClassifiedFailure, context: Record<string, unknown>): Promise<never> {
    const ms = this.pauseMs(failure);
    // Only ever extend a pause: a short "rate limited" pause must not cut a long one ("all keys
    // invalid") that another job set. MAX_SAFE_INTEGER is what rateLimit() stores, so this reads
    // the manual pause only, never BullMQ's own limiter window.
    const current = await this.#o.queue.getRateLimitTtl(Number.MAX_SAFE_INTEGER);
    if (current < ms) await this.#o.queue.rateLimit(ms);
    this.#o.onPause?.(failure);
    const now = this.#o.now();
    // Concurrent jobs of this process hit the same wall at once: one line per pause window.
    if (now >= this.#loggedUntil) {
      this.#loggedUntil = now + ms;
      const fields = {
        ...context,
        reason: failure.reason,
        pauseMs: ms,
        retryAt: failure.retryAt === null ? null : new Date(failure.retryAt).toISOString(),
      };
      if (failure.kind === 'config') {
        this.#o.logger.error(
          `generation stopped: ${failure.message} — re-checking in ${Math.round(ms / 1000)} s`,
          fields,
        );
      } else if (failure.reason === 'rate_limited') {
        // The steady state of a quota-bound batch (a pause per freed window slot): metrics, not logs.
        this.#o.logger.debug('per-minute limit reached: queue paused', fields);
      } else {
        this.#o.logger.warn('no Gemini capacity: queue paused', fields);
      }
    }
    throw new RateLimitError();
  }
}
