import type { UserStats } from '@mealwise/stats';

/** What the worker needs from the Gemini client (packages/gemini implements it). */
export interface Generated {
  summary: string;
  tips: string[];
  model: string;
  keyFingerprint: string;
  usage: { promptTokens: number; outputTokens: number; totalTokens: number };
  latencyMs: number;
  attempts: number;
}

export interface RecommendationSource {
  generateRecommendation(
    stats: UserStats,
    options: { signal?: AbortSignal; tgid?: number; runId?: string },
  ): Promise<Generated>;
}

/**
 * How a failed generation must be handled:
 * - `no_capacity`: the key pool has nothing until `retryAt` — pause the queue, spend no attempt;
 * - `config`: no key or model can work (all keys invalid, model not found) — pause long, log it,
 *   spend no attempt of the 100k users queued behind;
 * - `transient`: try this user again later (attempts with backoff);
 * - `permanent`: this user's generation will not succeed (invalid answers after the retry).
 */
export type FailureKind = 'no_capacity' | 'config' | 'transient' | 'permanent';

export interface ClassifiedFailure {
  kind: FailureKind;
  /** ms since epoch, for `no_capacity`; null when unknown. */
  retryAt: number | null;
  /** `retryAt` minus Redis' time when the pool decided, if known (immune to this host's clock skew). */
  retryAfterMs?: number | null;
  /** Short stable reason for logs and metrics (`rate_limited`, `quota_exhausted`, `all_invalid`, `model_not_found`, ...). */
  reason: string;
  message: string;
}

export type FailureClassifier = (err: unknown) => ClassifiedFailure;

/** The part of the stats service a user job needs. */
export interface StatsReader {
  getUserStats(tgid: number, window: { days: number }): Promise<UserStats>;
}
