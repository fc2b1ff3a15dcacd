/** Why `acquire` could not hand out a key. */
export type NoCapacityReason = 'rate_limited' | 'quota_exhausted' | 'all_invalid';

const MESSAGES: Record<NoCapacityReason, string> = {
  rate_limited: 'All Gemini projects are at their per-minute limit for this model.',
  // The seed's message, kept for operators who grep for it.
  quota_exhausted: 'All API keys are exhausted or invalid. Please wait for daily reset.',
  all_invalid: 'All API keys are invalid. An operator must fix GEMINI_API_KEYS or reset the invalid keys.',
};

/**
 * No key can be used for `model` now. `retryAt` (ms since the epoch, by Redis' clock) is when
 * the earliest capacity returns — the worker pauses its queue exactly that long. It is `null`
 * only for `all_invalid`, which no amount of waiting fixes.
 */
export class NoCapacityError extends Error {
  readonly code = 'NO_CAPACITY';
  readonly reason: NoCapacityReason;
  readonly retryAt: number | null;
  readonly model: string;
  /**
   * `retryAt` minus Redis' time at the decision, when known: what to wait on a worker whose own
   * clock may differ from Redis'.
   */
  readonly retryAfterMs: number | null;

  constructor(reason: NoCapacityReason, model: string, retryAt: number | null, now?: number) {
    super(MESSAGES[reason]);
    this.name = new.target.name;
    this.reason = reason;
    this.model = model;
    this.retryAt = retryAt;
    this.retryAfterMs = retryAt === null || now === undefined ? null : Math.max(0, retryAt - now);
  }
}

/** The seed's `AllKeysExhaustedException`: every project's quota for the model is gone for the day. */
export class AllKeysExhaustedError extends NoCapacityError {
  constructor(model: string, retryAt: number, now?: number) {
    super('quota_exhausted', model, retryAt, now);
  }
}

/** Redis did not answer: the pool fails closed — nothing is admitted on a guess. */
export class KeyPoolUnavailableError extends Error {
  readonly code = 'KEY_POOL_UNAVAILABLE';
  constructor(options: { cause: unknown }) {
    super('Key pool state in Redis is unreachable; no key admitted', options);
    this.name = new.target.name;
  }
}
