import type { PoolKey } from './keys.ts';

/** Limits per (project, model). */
export interface PoolLimits {
  /** Admissions in any rolling 60 s window (`GEMINI_MAX_REQUESTS_PER_MINUTE`). */
  requestsPerMinute: number;
  /** Admissions per quota day, which ends at midnight America/Los_Angeles (`GEMINI_MAX_REQUESTS_PER_KEY`). */
  requestsPerDay: number;
  /** Optional input-token budget per rolling minute; admission reserves an estimate. */
  tokensPerMinute?: number;
}

/**
 * A key handed out by `acquire`, with its capacity already reserved. The raw key is a
 * non-enumerable property: JSON.stringify / logging a lease never shows it.
 */
export interface Lease {
  readonly key: string;
  readonly fingerprint: string;
  readonly project: string;
  readonly model: string;
  /** Redis time of admission, ms. */
  readonly admittedAt: number;
  /** Unique id of this admission (settles token reservations). */
  readonly id: string;
  readonly reservedTokens: number;
}

/** What a Gemini call did, as the client reports it back to the pool. */
export type CallOutcome =
  | { kind: 'success'; usage?: { promptTokens: number; totalTokens: number } }
  | {
      kind: 'rate_limited';
      /** From the 429's `quotaId`: per minute, per day, tokens per minute, or `unknown` (no details). */
      scope: 'minute' | 'day' | 'tokens' | 'unknown';
      /** `RetryInfo.retryDelay` in ms, when present. */
      retryDelayMs?: number;
      /** `quotaValue "0"` / "limit: 0": this model has no quota on this project today. */
      zeroQuota?: boolean;
    }
  | {
      kind: 'invalid_key';
      /** `API_KEY_INVALID`, `CONSUMER_SUSPENDED`, `API_KEY_SERVICE_BLOCKED`, `SERVICE_DISABLED`, `LEAKED`, `HTTP_401`, ... */
      reason: string;
    }
  /** 5xx, timeouts, network errors, cancellations, bad requests: never held against the key. */
  | { kind: 'neutral'; reason: string };

export type KeyState = 'available' | 'cooling' | 'exhausted' | 'invalid';

/**
 * Why a (project, model) cannot take a request now: its own rolling window or token budget is
 * full (`window_full`, `tokens`), Google answered 429 (`cooldown`), the daily limit was reached
 * (`daily_limit`), Google said the day's quota is gone (`daily_quota`) or that the model has no
 * quota on the project (`zero_quota`), or the key is invalid (`invalid`).
 */
export type BlockReason =
  | 'window_full'
  | 'tokens'
  | 'cooldown'
  | 'daily_limit'
  | 'daily_quota'
  | 'zero_quota'
  | 'invalid';

export interface KeyModelUsage {
  model: string;
  /** Admissions this quota day for the key's project. */
  usedToday: number;
  /** Admissions in the last 60 s for the key's project. */
  usedLastMinute: number;
  /** Input tokens reserved or used in the last 60 s (0 without a token budget). */
  tokensLastMinute: number;
  state: KeyState;
  /** ms since epoch, when state is `cooling`. */
  cooldownUntil: number | null;
  /** Every reason the key cannot serve this model now, most binding first; empty when available. */
  blockedBy: BlockReason[];
  /** Earliest ms it can serve this model again; `null` when available now or invalid. */
  availableAt: number | null;
}

export interface KeyStatus {
  fingerprint: string;
  project: string;
  state: KeyState;
  models: KeyModelUsage[];
  invalid: { reason: string; since: number } | null;
}

export interface PoolStatus {
  /** Redis time when the status was read, ms. */
  now: number;
  /** Pacific calendar date of the current quota day, `YYYY-MM-DD`. */
  day: string;
  /** Models reported on (the pool's `models`: primary first, then fallbacks). */
  models: string[];
  limits: PoolLimits;
  keys: KeyStatus[];
  /** Requests left today over every available project, per model. */
  capacityLeftToday: Record<string, number>;
  /** Next Pacific midnight, ms. */
  nextReset: number;
  /** Fingerprint of the key most recently handed out (the seed's `current_key_index`, as an observable). */
  lastKey: string | null;
}

/**
 * One entry of `gemini:rotation_log`: a key or a (project, model) became unavailable or available
 * again. Keys appear by fingerprint only.
 */
export interface RotationEvent {
  /** Redis time, ms, when the pool recorded (for `available`: noticed) the transition. */
  at: number;
  event: 'cooling' | 'exhausted' | 'invalid' | 'available';
  project: string;
  /** Absent for key-level events (`invalid`, an operator's reset). */
  model?: string;
  /** The key that reported it (`cooling`/`exhausted`/`invalid` from a call, an operator's reset). */
  fingerprint?: string;
  /** Every key of the project, for project-level events. */
  fingerprints?: string[];
  /** `minute`, `tokens`, `unknown`, `daily_limit`, `daily_quota`, `zero_quota`, an invalid-key reason, `cooldown_over`, `quota_day_reset`, `limit_raised`, `operator_reset`. */
  reason: string;
  /** End of the cooldown / exhaustion, ms. */
  until?: number;
  /** For `available`: what the key or project was (`daily_quota`, an invalid-key reason...). */
  was?: string;
  retryDelayMs?: number;
}

/** The part of the pool the Gemini client needs (lets tests substitute a fake). */
export interface KeySource {
  acquire(model: string, options?: { estimatedTokens?: number }): Promise<Lease>;
  report(lease: Lease, outcome: CallOutcome): Promise<void>;
}

export type { PoolKey };
