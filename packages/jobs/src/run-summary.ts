import { readFileSync } from 'node:fs';
import type { Redis } from '@mealwise/redis';
import { assertRunId } from './ids.ts';

const lua = (file: string) => readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');

export type RunOutcome = 'succeeded' | 'skipped' | 'failed';
export type RunFallback = 'stale' | 'rules';

/**
 * `recs:run:{run_id}` (DESIGN §5 / issue 5). Counters are atomic and each user is counted once,
 * however often its job runs. `failed` counts users whose generation failed for good; `fallback`
 * counts those of them who still got a record (`fallback_stale` kept yesterday's, `fallback_rules`
 * got rules-based advice), so `failed - fallback` users were left without any record.
 */
export interface RunSummary {
  run_id: string;
  trigger: 'schedule' | 'manual' | null;
  /** Active users counted when the batch started (progress denominator). */
  total: number;
  /** User jobs actually added (duplicates of an earlier run of the same id excluded). */
  enqueued: number;
  succeeded: number;
  skipped: number;
  failed: number;
  fallback: number;
  fallback_stale: number;
  fallback_rules: number;
  started_at: string | null;
  fanout_finished_at: string | null;
  finished_at: string | null;
}

export interface RunSummaryStoreOptions {
  redis: Redis;
  /** Key prefix, default `recs:` (→ `recs:run:{id}`, `recs:runs`). */
  prefix?: string;
  /** How long summaries are kept, seconds (default 30 days). */
  ttlSeconds?: number;
}

type Scripts = {
  recordOutcome(
    k1: string,
    k2: string,
    tgid: number,
    field: string,
    fb: string,
    now: string,
    ttl: number,
  ): Promise<number>;
  finishFanout(k1: string, now: string): Promise<number>;
  countEnqueued(k1: string, k2: string, ttl: number, ...tgids: number[]): Promise<number>;
};

const INT_FIELDS = [
  'total',
  'enqueued',
  'succeeded',
  'skipped',
  'failed',
  'fallback',
  'fallback_stale',
  'fallback_rules',
] as const;

export class RunSummaryStore {
  readonly #redis: Redis & Scripts;
  readonly #prefix: string;
  readonly #ttl: number;
  readonly #setTtl: number;

  constructor(options: RunSummaryStoreOptions) {
    const redis = options.redis as Redis & Partial<Scripts>;
    if (!redis.recordOutcome) {
      redis.defineCommand('recordOutcome', { numberOfKeys: 2, lua: lua('record-outcome-2.lua') });
      redis.defineCommand('finishFanout', { numberOfKeys: 1, lua: lua('finish-fanout-1.lua') });
      redis.defineCommand('countEnqueued', { numberOfKeys: 2, lua: lua('count-enqueued-2.lua') });
    }
    this.#redis = redis as Redis & Scripts;
    this.#prefix = options.prefix ?? 'recs:';
    this.#ttl = options.ttlSeconds ?? 30 * 24 * 3_600;
    // The per-user sets only guard against double counting while a run can still be resumed or
    // re-run the same day; they are the big part of a summary, so they go sooner.
    this.#setTtl = Math.min(this.#ttl, 3 * 24 * 3_600);
  }

  key(runId: string): string {
    return `${this.#prefix}run:${assertRunId(runId)}`;
  }

  /** Opens (or, for a resumed batch, keeps) a run: started_at is set once; total is refreshed. */
  async begin(
    runId: string,
    options: { total: number; trigger: 'schedule' | 'manual'; now?: Date },
  ): Promise<void> {
    const key = this.key(runId);
    const now = (options.now ?? new Date()).toISOString();
    await this.#redis
      .multi()
      .hsetnx(key, 'started_at', now)
      .hsetnx(key, 'trigger', options.trigger)
      .hset(key, 'total', options.total)
      .expire(key, this.#ttl)
      .zadd(`${this.#prefix}runs`, 'NX', Date.parse(now), runId)
      // The index of runs forgets those whose summaries have expired: Redis does not grow nightly.
      .zremrangebyscore(`${this.#prefix}runs`, '-inf', `(${Date.parse(now) - this.#ttl * 1000}`)
      .exec();
  }

  /**
   * Counts users as enqueued for the run, each once (a resumed fan-out re-processing a page adds
   * nobody twice). Call it *before* adding their jobs: a crash in between leaves them counted and
   * the retried fan-out adds the missing jobs under the same deterministic ids.
   * Returns how many were new.
   */
  async countEnqueued(runId: string, tgids: number[]): Promise<number> {
    if (tgids.length === 0) return 0;
    const key = this.key(runId);
    return this.#redis.countEnqueued(key, `${key}:enqueued`, this.#setTtl, ...tgids);
  }

  /** The fan-out is complete; returns true when the run is (now) finished. */
  async finishFanout(runId: string, now = new Date()): Promise<boolean> {
    return (await this.#redis.finishFanout(this.key(runId), now.toISOString())) === 1;
  }

  /**
   * Counts a user's final outcome once. Returns `duplicate` when this user was already counted
   * for the run, `finished` when it was the last one.
   */
  async recordOutcome(
    runId: string,
    tgid: number,
    outcome: RunOutcome,
    fallback?: RunFallback,
    now = new Date(),
  ): Promise<'counted' | 'duplicate' | 'finished'> {
    const key = this.key(runId);
    const r = await this.#redis.recordOutcome(
      key,
      `${key}:done`,
      tgid,
      outcome,
      fallback ? `fallback_${fallback}` : '',
      now.toISOString(),
      this.#setTtl,
    );
    return r === -1 ? 'duplicate' : r === 1 ? 'finished' : 'counted';
  }

  async get(runId: string): Promise<RunSummary | null> {
    const h = await this.#redis.hgetall(this.key(runId));
    if (Object.keys(h).length === 0) return null;
    const out: Record<string, unknown> = {
      run_id: runId,
      trigger: h.trigger ?? null,
      started_at: h.started_at ?? null,
      fanout_finished_at: h.fanout_finished_at ?? null,
      finished_at: h.finished_at ?? null,
    };
    for (const f of INT_FIELDS) out[f] = Number(h[f] ?? 0);
    return out as unknown as RunSummary;
  }

  /** The most recently started run, if any. */
  async latestRunId(): Promise<string | null> {
    const [id] = await this.#redis.zrevrange(`${this.#prefix}runs`, 0, 0);
    return id ?? null;
  }

  /** Whether `tgid` was already counted in the run (its job ran to the end once). */
  async isCounted(runId: string, tgid: number): Promise<boolean> {
    return (await this.#redis.sismember(`${this.key(runId)}:done`, tgid)) === 1;
  }
}
