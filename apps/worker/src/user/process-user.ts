import {
  type RunFallback,
  type RunOutcome,
  type RunSummaryStore,
  type UserJobData,
  userJobDataSchema,
} from '@mealwise/jobs';
import type { Logger } from '@mealwise/logging';
import {
  isUnchanged,
  type RecommendationCache,
  type RecommendationRecord,
  rulesAdvice,
  statsHash,
} from '@mealwise/recs';
import type { UserStats } from '@mealwise/stats';
import { type Job, UnrecoverableError, WaitingError } from 'bullmq';
import type { Pacing } from './pacing.ts';
import type { FailureClassifier, RecommendationSource, StatsReader } from './ports.ts';

export interface UserJobDeps {
  stats: StatsReader;
  generator: RecommendationSource;
  classify: FailureClassifier;
  cache: RecommendationCache;
  runs: RunSummaryStore;
  pacing: Pacing;
  /** `RECS_DAYS`. */
  days: number;
  /** Skip a batch user whose stats are unchanged since a record younger than this (ms); 0 = never skip. */
  skipUnchangedForMs: number;
  /** Per-job deadline (ms), below the worker's lock duration: no job stays active forever. */
  jobTimeoutMs: number;
  /** True once the worker is shutting down (an abort then means "put the job back"). */
  isShuttingDown: () => boolean;
  onOutcome?: (outcome: UserJobResult) => void;
  logger: Logger;
  now?: () => Date;
}

export type UserJobResult =
  | {
      outcome: 'succeeded';
      model: string;
      generationMs: number;
      attempts: number;
      keyFingerprint: string;
      /** The record was written by an earlier, interrupted execution of this job: no new call. */
      recovered?: boolean;
    }
  | { outcome: 'skipped' }
  | { outcome: 'duplicate' }
  | { outcome: 'failed'; fallback: RunFallback | null; reason: string };

/**
 * One user's job: stats → (skip when unchanged and fresh) → Gemini → cache → run summary.
 * Failures never leave a blank: the final failure keeps yesterday's record (`stale`) or writes a
 * rules-based one. Returns what happened (stored as the job's return value, shown in Bull Board).
 */
export async function processUserJob(
  job: Job<UserJobData>,
  token: string | undefined,
  signal: AbortSignal | undefined,
  deps: UserJobDeps,
): Promise<UserJobResult> {
  const parsed = userJobDataSchema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(`invalid user job data: ${parsed.error.issues[0]?.message}`);
  const { tgid, runId, reason } = parsed.data;
  const log = deps.logger.child({ jobId: job.id, tgid, runId: runId ?? null, reason });
  const now = deps.now ?? (() => new Date());

  const finish = async (result: UserJobResult): Promise<UserJobResult> => {
    if (runId && result.outcome !== 'duplicate') {
      const outcome: RunOutcome = result.outcome;
      const counted = await deps.runs.recordOutcome(
        runId,
        tgid,
        outcome,
        result.outcome === 'failed' ? (result.fallback ?? undefined) : undefined,
      );
      if (counted === 'finished') log.info('batch run finished', { runId });
    }
    deps.onOutcome?.(result);
    return result;
  };

  // A job that already ran to the end for this run (a stalled job re-run elsewhere, a re-run
  // batch) must not spend quota again.
  if (runId && (await deps.runs.isCounted(runId, tgid))) return finish({ outcome: 'duplicate' });

  const stats = await deps.stats.getUserStats(tgid, { days: deps.days });
  const hash = statsHash(stats);
  const cached = await deps.cache.get(tgid);
  if (cached.status === 'corrupt')
    log.warn('cached record is corrupt; regenerating', { error: cached.error });
  if (cached.status === 'hit') {
    const r = cached.record;
    const fresh = r.source === 'gemini' && !r.stale;
    // Written by this very run before the job was interrupted: count it, don't call Gemini again.
    if (runId && fresh && r.run_id === runId) {
      return finish({
        outcome: 'succeeded',
        model: r.model ?? '',
        generationMs: 0,
        attempts: 0,
        keyFingerprint: '',
        recovered: true,
      });
    }
    const age = now().getTime() - Date.parse(r.generated_at);
    if (
      reason === 'batch' &&
      fresh &&
      deps.skipUnchangedForMs > 0 &&
      r.stats_hash === hash &&
      age < deps.skipUnchangedForMs
    ) {
      await deps.cache.touch(tgid);
      log.debug('stats unchanged since the last record: skipped');
      return finish({ outcome: 'skipped' });
    }
  }

  const deadline = AbortSignal.timeout(deps.jobTimeoutMs);
  const callSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
  try {
    const g = await deps.generator.generateRecommendation(stats, { signal: callSignal, tgid });
    const record: RecommendationRecord = {
      summary: g.summary,
      tips: g.tips,
      stats,
      generated_at: now().toISOString(),
      model: g.model,
      source: 'gemini',
      stats_hash: hash,
      ...(runId ? { run_id: runId } : {}),
    };
    await deps.cache.put(tgid, record);
    // The Gemini client already logged the generation (tgid, fingerprint, tokens, generation_time_ms).
    log.debug('recommendation cached', { model: g.model });
    return finish({
      outcome: 'succeeded',
      model: g.model,
      generationMs: g.latencyMs,
      attempts: g.attempts,
      keyFingerprint: g.keyFingerprint,
    });
  } catch (err) {
    if (signal?.aborted && deps.isShuttingDown()) {
      // Shutdown: back to wait at once, no attempt spent (instead of waiting for stall detection).
      if (token) await job.moveToWait(token);
      throw new WaitingError();
    }
    const failure = deps.classify(err);
    if (failure.kind === 'no_capacity' || failure.kind === 'config') {
      return deps.pacing.pause(failure, { tgid, runId: runId ?? null });
    }
    const attempts = job.opts.attempts ?? 1;
    const last = failure.kind === 'permanent' || job.attemptsMade + 1 >= attempts;
    if (!last) {
      log.warn('generation failed; will retry', {
        reason: failure.reason,
        error: failure.message,
        attempt: job.attemptsMade + 1,
        attempts,
      });
      throw err;
    }
    const fallback = await writeFallback(tgid, stats, hash, runId, deps, now);
    log.error('generation failed for good; fallback written', {
      reason: failure.reason,
      error: failure.message,
      fallback,
    });
    await finish({ outcome: 'failed', fallback, reason: failure.reason });
    throw new UnrecoverableError(
      `generation failed (${failure.reason}): ${failure.message}; user got a ${fallback} record`,
    );
  }
}

/** Yesterday's record marked stale if there is one, else rules-based advice: never a blank. */
async function writeFallback(
  tgid: number,
  stats: UserStats,
  hash: string,
  runId: string | undefined,
  deps: UserJobDeps,
  now: () => Date,
): Promise<RunFallback> {
  if (await deps.cache.markStale(tgid)) return 'stale';
  const advice = rulesAdvice(stats, deps.days);
  await deps.cache.put(tgid, {
    ...advice,
    stats,
    generated_at: now().toISOString(),
    model: null,
    source: 'rules',
    stats_hash: hash,
    ...(runId ? { run_id: runId } : {}),
  });
  return 'rules';
}
