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
import { UserNotFoundError, type UserStats } from '@mealwise/stats';
import { type Job, RateLimitError, UnrecoverableError, WaitingError } from 'bullmq';
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
 * rules-based one. Whatever ends a job for good is counted in the run summary, so a run always
 * finishes. Returns what happened (stored as the job's return value, shown in Bull Board).
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
  const ctx: JobContext = { job, token, signal, deps, tgid, runId, reason, log, now };

  // A job that already ran to the end for this run (a stalled job re-run elsewhere, a re-run
  // batch) must not spend quota again.
  if (runId && (await deps.runs.isCounted(runId, tgid))) return finish(ctx, { outcome: 'duplicate' });

  let stats: UserStats | undefined;
  try {
    stats = await deps.stats.getUserStats(tgid, { days: deps.days });
    return await generateFor(ctx, stats);
  } catch (err) {
    // Pacing and shutdown put the job back to wait; a generation failure was handled where it
    // happened (retry or settled).
    if (
      err instanceof RateLimitError ||
      err instanceof WaitingError ||
      err instanceof JobSettled ||
      handled.has(err as object)
    )
      throw err;
    if (err instanceof UserNotFoundError) {
      // Deleted since the fan-out: nothing to generate, and retrying cannot bring the user back.
      // Counted as failed without a fallback (there is nobody to show a record to).
      log.warn('user no longer exists; job dropped');
      await finish(ctx, { outcome: 'failed', fallback: null, reason: 'user_not_found' });
      throw new JobSettled(`user ${tgid} no longer exists`);
    }
    // Not a Gemini failure (database, Redis): BullMQ retries; the last attempt settles the user.
    const attempts = job.opts.attempts ?? 1;
    const message = err instanceof Error ? err.message : String(err);
    if (job.attemptsMade + 1 < attempts) {
      log.warn('user job failed; will retry', { error: message, attempt: job.attemptsMade + 1, attempts });
      throw err;
    }
    const fallback = await writeFallback(ctx, stats).catch(() => null);
    log.error('user job failed for good', { error: message, fallback });
    await finish(ctx, { outcome: 'failed', fallback, reason: 'unexpected' });
    throw new JobSettled(`user job failed: ${message}`);
  }
}

/**
 * Thrown once a job's final failure is settled (fallback written, outcome counted): BullMQ fails
 * the job without another attempt, and `settleFailedJob` knows there is nothing left to do.
 */
export class JobSettled extends UnrecoverableError {}

/**
 * For a job BullMQ failed for good without our processor settling it — one caught in more than
 * `maxStalledCount` crashed workers is failed before the processor runs — keeps or writes a
 * record (stale or rules) and counts the user, so the run still finishes.
 */
export async function settleFailedJob(
  job: Job<UserJobData>,
  deps: UserJobDeps,
): Promise<UserJobResult | null> {
  const parsed = userJobDataSchema.safeParse(job.data);
  if (!parsed.success) return null;
  const { tgid, runId, reason } = parsed.data;
  if (runId && (await deps.runs.isCounted(runId, tgid))) return null;
  const log = deps.logger.child({ jobId: job.id, tgid, runId: runId ?? null, reason });
  const ctx: JobContext = {
    job,
    token: undefined,
    signal: undefined,
    deps,
    tgid,
    runId,
    reason,
    log,
    now: deps.now ?? (() => new Date()),
  };
  const stats = await deps.stats.getUserStats(tgid, { days: deps.days }).catch(() => undefined);
  const fallback = await writeFallback(ctx, stats).catch(() => null);
  log.error('job failed outside its processor; user settled', { error: job.failedReason, fallback });
  return finish(ctx, { outcome: 'failed', fallback, reason: 'abandoned' });
}

interface JobContext {
  job: Job<UserJobData>;
  token: string | undefined;
  signal: AbortSignal | undefined;
  deps: UserJobDeps;
  tgid: number;
  runId: string | undefined;
  reason: UserJobData['reason'];
  log: Logger;
  now: () => Date;
}

/** Errors `generateFor` already dealt with (logged for a retry, or settled): passed on as they are. */
const handled = new WeakSet<object>();

/** Counts the outcome in the run summary (once per user) and in the metrics. */
async function finish(ctx: JobContext, result: UserJobResult): Promise<UserJobResult> {
  const { deps, runId, tgid, log } = ctx;
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
}

async function generateFor(ctx: JobContext, stats: UserStats): Promise<UserJobResult> {
  const { job, token, signal, deps, tgid, runId, reason, log, now } = ctx;
  const hash = statsHash(stats);
  const cached = await deps.cache.get(tgid);
  if (cached.status === 'corrupt')
    log.warn('cached record is corrupt; regenerating', { error: cached.error });
  if (cached.status === 'hit') {
    const r = cached.record;
    const fresh = r.source === 'gemini' && !r.stale;
    // Written by this very run before the job was interrupted: count it, don't call Gemini again.
    if (runId && fresh && r.run_id === runId) {
      // Says which user's record was counted without a call of this job's own: with the
      // `recommendation cached` lines, every stored record of a run is accounted for in the logs,
      // even when a crash swallowed the line of the process that stored it.
      log.info('recommendation recovered', { model: r.model });
      return finish(ctx, {
        outcome: 'succeeded',
        model: r.model ?? '',
        generationMs: 0,
        attempts: 0,
        keyFingerprint: '',
        recovered: true,
      });
    }
    // Normally done at fan-out; here for a user whose job was added before the record was written.
    if (reason === 'batch' && isUnchanged(r, hash, now().getTime(), deps.skipUnchangedForMs)) {
      await deps.cache.touch(tgid);
      log.debug('stats unchanged since the last record: skipped');
      return finish(ctx, { outcome: 'skipped' });
    }
  }

  const deadline = AbortSignal.timeout(deps.jobTimeoutMs);
  const callSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
  try {
    const g = await deps.generator.generateRecommendation(stats, {
      signal: callSignal,
      tgid,
      ...(runId ? { runId } : {}),
    });
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
    // This line (with jobId, tgid, runId from the job's logger) says the record is stored: one per
    // user and run, unless the same user really was generated and stored twice (the reliability
    // suite counts them; an answer lost in a crash before this point logs nothing).
    log.info('recommendation cached', { model: g.model, keyFingerprint: g.keyFingerprint });
    return finish(ctx, {
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
      if (err instanceof Error) handled.add(err);
      throw err;
    }
    const fallback = await writeFallback(ctx, stats, hash);
    log.error('generation failed for good; fallback written', {
      reason: failure.reason,
      error: failure.message,
      fallback,
    });
    await finish(ctx, { outcome: 'failed', fallback, reason: failure.reason });
    throw new JobSettled(
      `generation failed (${failure.reason}): ${failure.message}; user got a ${fallback} record`,
    );
  }
}

/**
 * Yesterday's record marked stale if there is one, else rules-based advice from the statistics:
 * never a blank. Without statistics (the database failed) only a stale record can be kept.
 */
async function writeFallback(
  ctx: JobContext,
  stats: UserStats | undefined,
  hash = stats ? statsHash(stats) : undefined,
): Promise<RunFallback | null> {
  const { deps, tgid, runId, now } = ctx;
  if (await deps.cache.markStale(tgid)) return 'stale';
  if (!stats) return null;
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
