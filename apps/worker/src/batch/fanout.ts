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
import type { ActiveUsersQuery } from '@mealwise/stats';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';

/** The part of the stats service the fan-out needs. */
export interface ActiveUserSource {
  activeUsers(query: ActiveUsersQuery): AsyncIterable<number[]>;
  countActiveUsers(query: Omit<ActiveUsersQuery, 'pageSize' | 'after'>): Promise<number>;
}

export interface FanoutDeps {
  users: ActiveUserSource;
  userQueue: Queue<UserJobData>;
  runs: RunSummaryStore;
  /** `RECS_MIN_ORDERS` / `RECS_DAYS`. */
  minOrders: number;
  days: number;
  /** `RECS_TZ`: a scheduled run is named by its date there. */
  tz: string;
  /** Users per page and per `addBulk` (bullmq.md: chunks of ~500–1000, a pipeline each). */
  chunkSize: number;
  logger: Logger;
}

export interface FanoutResult {
  runId: string;
  total: number;
  enqueued: number;
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
 * The batch job: one `recs-user` job per active user, in keyset pages, with deterministic job
 * ids (`recs-<run>-<tgid>`) so the same run never enqueues a user twice. After each page the
 * cursor goes into the job's data: a batch that crashed resumes after the last page it finished.
 * Memory is one page, whatever the number of users.
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

  const activity = { minOrders: deps.minOrders, days: deps.days };
  const total = await deps.users.countActiveUsers(activity);
  await deps.runs.begin(runId, { total, trigger: data.trigger });
  let enqueued = data.enqueued ?? 0;
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
    await deps.userQueue.addBulk(
      page.map((tgid) => ({
        name: JOB_NAMES.user,
        data: { tgid, runId, reason: 'batch' as const },
        opts: { ...USER_JOB_OPTIONS, jobId: userJobId(runId, tgid) },
      })),
    );
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
  log.info('batch enqueued', { total, enqueued, finished });
  return { runId, total, enqueued, finished };
}
