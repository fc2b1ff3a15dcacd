import {
  type BatchJobData,
  batchJobDataSchema,
  JOB_NAMES,
  type RunSummaryStore,
  runIdForDate,
  USER_JOB_OPTIONS,
  type UserJobData,
  userJobId,
} from '@mealwise/jobs';
import type { Logger } from '@mealwise/logging';
import { isSkipCandidate, isUnchanged, type RecommendationCache, statsHash } from '@mealwise/recs';
import type { ActiveUsersQuery } from '@mealwise/stats';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import type { StatsReader } from '../user/ports.ts';

/** The part of the stats service the fan-out needs. */
export interface ActiveUserSource {
  activeUsers(query: ActiveUsersQuery): AsyncIterable<number[]>;
  countActiveUsers(query: Omit<ActiveUsersQuery, 'pageSize' | 'after'>): Promise<number>;
}

export interface FanoutDeps {
  users: ActiveUserSource;
  /** For the unchanged-user check: stats of users whose record is a skip candidate. */
  stats: StatsReader;
  cache: RecommendationCache;
  /** Skip users unchanged since a record at most this old (ms); 0 = enqueue everyone. */
  skipUnchangedForMs: number;
  /** Parallel stats queries of the unchanged-user check. */
  checkConcurrency: number;
  userQueue: Queue<UserJobData>;
  runs: RunSummaryStore;
  /** `RECS_MIN_ORDERS` / `RECS_DAYS`. */
  minOrders: number;
  days: number;
  /** `RECS_TZ`: a scheduled run is named by its date there. */
  tz: string;
  /** Users per page and per `addBulk` (bullmq.md: chunks of ~500–1000, a pipeline each). */
  chunkSize: number;
  /** First retry delay of a user job (exponential backoff with jitter); default USER_JOB_OPTIONS'. */
  retryDelayMs?: number;
  logger: Logger;
}

export interface FanoutResult {
  runId: string;
  total: number;
  /** Users taken into the run: jobs added, plus unchanged users counted as skipped right away. */
  enqueued: number;
  /** Of those, unchanged users that needed no job. */
  skipped: number;
  finished: boolean;
}

/** Stops the fan-out between pages (shutdown); the caller puts the job back to wait. */
export class FanoutInterrupted extends Error {
  readonly code = 'FANOUT_INTERRUPTED';
  constructor() {
    super('fan-out interrupted by shutdown');
    this.name = new.target.name;
  }
}

/** The run id of a batch job: its own, or the scheduled date in `RECS_TZ`. */
export function resolveRunId(job: Job<BatchJobData>, data: BatchJobData, tz: string): string {
  if (data.runId) return data.runId;
  // A Job Scheduler's job carries its scheduled time in opts.prevMillis.
  const scheduledAt = (job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp;
  return runIdForDate(new Date(scheduledAt), tz);
}

/**
 * Users of a page whose statistics did not change since their still-fresh record: they need no
 * job. Done here, not in the user job, because BullMQ's limiter (sized to the pool's Gemini
 * capacity) counts every job it starts — a quiet night of 100k unchanged users would otherwise
 * crawl at the Gemini rate while spending no Gemini quota at all.
 */
async function unchangedUsers(page: number[], runId: string, deps: FanoutDeps): Promise<number[]> {
  if (deps.skipUnchangedForMs <= 0) return [];
  const now = Date.now();
  const records = await deps.cache.getMany(page);
  const candidates = page.filter((t) => isSkipCandidate(records.get(t), now, deps.skipUnchangedForMs));
  const unchanged: number[] = [];
  for (let i = 0; i < candidates.length; i += deps.checkConcurrency) {
    await Promise.all(
      candidates.slice(i, i + deps.checkConcurrency).map(async (tgid) => {
        const record = records.get(tgid);
        // Written by this run already (a resumed batch): the user job's own check counts it.
        if (record?.run_id === runId) return;
        const stats = await deps.stats.getUserStats(tgid, { days: deps.days });
        if (isUnchanged(record, statsHash(stats), now, deps.skipUnchangedForMs)) unchanged.push(tgid);
      }),
    );
  }
  return unchanged;
}

/**
 * The batch job: one `recs-user` job per active user who needs one, in keyset pages, with
 * deterministic job ids (`recs-<run>-<tgid>`) so the same run never enqueues a user twice.
 * Unchanged users are counted as skipped on the spot. After each page the cursor goes into the
 * job's data: a batch that crashed resumes after the last page it finished. Memory is one page,
 * whatever the number of users.
 */
export async function runFanout(
  job: Job<BatchJobData>,
  deps: FanoutDeps,
  signal?: AbortSignal,
): Promise<FanoutResult> {
  const parsed = batchJobDataSchema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(`invalid batch job data: ${parsed.error.issues[0]?.message}`);
  let data = parsed.data;
  const runId = resolveRunId(job, data, deps.tz);
  const log = deps.logger.child({ runId, jobId: job.id });
  if (data.runId !== runId) {
    data = { ...data, runId };
    await job.updateData(data);
  }

  const jobOptions =
    deps.retryDelayMs === undefined
      ? USER_JOB_OPTIONS
      : { ...USER_JOB_OPTIONS, backoff: { ...USER_JOB_OPTIONS.backoff, delay: deps.retryDelayMs } };
  const activity = { minOrders: deps.minOrders, days: deps.days };
  const total = await deps.users.countActiveUsers(activity);
  await deps.runs.begin(runId, { total, trigger: data.trigger });
  let enqueued = data.enqueued ?? 0;
  let skipped = 0;
  const resumed = data.cursor !== undefined;
  log.info(resumed ? 'batch resumed' : 'batch started', { total, cursor: data.cursor ?? null, enqueued });

  for await (const page of deps.users.activeUsers({
    ...activity,
    pageSize: deps.chunkSize,
    after: data.cursor,
  })) {
    if (signal?.aborted) throw new FanoutInterrupted();
    if (page.length === 0) continue;
    // Count first, then add: a crash in between leaves users counted whose jobs the resumed
    // fan-out then adds under the same ids; the reverse order would lose them from the count.
    const fresh = await deps.runs.countEnqueued(runId, page);
    const unchanged = new Set(await unchangedUsers(page, runId, deps));
    if (unchanged.size > 0) {
      await deps.cache.touchMany([...unchanged]);
      // Idempotent per user: a resumed fan-out re-checking this page counts nobody twice.
      await Promise.all([...unchanged].map((tgid) => deps.runs.recordOutcome(runId, tgid, 'skipped')));
      skipped += unchanged.size;
    }
    const toEnqueue = page.filter((t) => !unchanged.has(t));
    if (toEnqueue.length > 0) {
      await deps.userQueue.addBulk(
        toEnqueue.map((tgid) => ({
          name: JOB_NAMES.user,
          data: { tgid, runId, reason: 'batch' as const },
          opts: { ...jobOptions, jobId: userJobId(runId, tgid) },
        })),
      );
    }
    enqueued += fresh;
    data = { ...data, cursor: page[page.length - 1]!, enqueued };
    await job.updateData(data);
    await job.updateProgress({
      enqueued,
      total,
      percent: total ? Math.min(100, Math.round((enqueued / total) * 100)) : 100,
    });
  }

  const finished = await deps.runs.finishFanout(runId);
  log.info('batch enqueued', { total, enqueued, skippedUnchanged: skipped, finished });
  return { runId, total, enqueued, skipped, finished };
}
