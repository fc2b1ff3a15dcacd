import type { Server } from 'node:http';
import { type BatchJobData, QUEUE_BATCH, QUEUE_USER, type UserJobData } from '@mealwise/jobs';
import type { Logger } from '@mealwise/logging';
import type { Redis } from '@mealwise/redis';
import { type Job, MetricsTime, Queue, WaitingError, Worker } from 'bullmq';
import { type FanoutDeps, FanoutInterrupted, runFanout } from './batch/fanout.ts';
import type { WorkerMetrics } from './metrics.ts';
import { ensureNightlyScheduler, type ScheduleSpec } from './scheduler.ts';
import { Pacing } from './user/pacing.ts';
import {
  JobSettled,
  processUserJob,
  settleFailedJob,
  type UserJobDeps,
  type UserJobResult,
} from './user/process-user.ts';

export interface WorkerServiceOptions {
  /** A `queue`-role ioredis connection (maxRetriesPerRequest: null); BullMQ duplicates it for blocking reads. */
  connection: Redis;
  /** BullMQ key prefix. */
  prefix: string;
  /** `WORKER_CONCURRENCY`: user jobs in flight in this process. */
  concurrency: number;
  /** Jobs per minute across all workers, sized from the pool's capacity (makes `rateLimit` effective). */
  limiterPerMinute: number;
  /** Per-job deadline; the lock duration is set above it so a live job never looks stalled. */
  jobTimeoutMs: number;
  /** How often stalled jobs are looked for, and how many stalls a job survives. */
  stalledIntervalMs: number;
  maxStalledCount: number;
  /** Longest single queue pause and the re-check interval after a configuration failure. */
  maxPauseMs: number;
  configRecheckMs: number;
  /** On SIGTERM: let in-flight calls finish this long, then abort them; close within `shutdownTimeoutMs`. */
  drainMs: number;
  shutdownTimeoutMs: number;
  /** The nightly schedule to maintain; null leaves the scheduler alone. */
  schedule: ScheduleSpec | null;
  /** `WORKER_METRICS_PORT` (0 = any free port), or null for no metrics server. */
  metricsPort: number | null;
  fanout: Omit<FanoutDeps, 'userQueue' | 'logger'>;
  user: Omit<UserJobDeps, 'pacing' | 'isShuttingDown' | 'logger' | 'onOutcome'>;
  metrics: WorkerMetrics;
  logger: Logger;
}

/** Both workers, the scheduler and the metrics endpoint of one worker process. */
export class WorkerService {
  readonly #o: WorkerServiceOptions;
  readonly batchQueue: Queue<BatchJobData>;
  readonly userQueue: Queue<UserJobData>;
  #batchWorker: Worker<BatchJobData> | undefined;
  #userWorker: Worker<UserJobData> | undefined;
  #metricsServer: Server | undefined;
  #shuttingDown = false;

  constructor(options: WorkerServiceOptions) {
    this.#o = options;
    const queueOpts = { connection: options.connection, prefix: options.prefix };
    this.batchQueue = new Queue<BatchJobData>(QUEUE_BATCH, queueOpts);
    this.userQueue = new Queue<UserJobData>(QUEUE_USER, queueOpts);
    // A Queue re-emits connection errors; unheard, BullMQ prints each one with its stack trace to
    // stderr (raw, outside the JSON log) for as long as Redis is away. The connection's own
    // listener already logs the outage once; these stay at debug.
    for (const queue of [this.batchQueue, this.userQueue]) {
      queue.on('error', (err) =>
        options.logger.debug('queue connection error', { queue: queue.name, error: err.message }),
      );
    }
  }

  /** The port `/metrics` listens on (after start), if any. */
  get metricsPort(): number | null {
    const a = this.#metricsServer?.address();
    return a && typeof a === 'object' ? a.port : null;
  }

  async start(): Promise<void> {
    const o = this.#o;
    const log = o.logger;
    if (o.metricsPort !== null) {
      o.metrics.exportQueues(this.batchQueue, this.userQueue);
      this.#metricsServer = await o.metrics.listen(o.metricsPort);
    }
    if (o.schedule)
      await ensureNightlyScheduler(this.batchQueue, o.schedule, log.child({ module: 'scheduler' }));

    const common = {
      connection: o.connection,
      prefix: o.prefix,
      // A live job renews its lock every lockDuration/2; the lock outlives the per-job deadline
      // so only a dead process (or a blocked event loop) lets a job stall. The margin is bounded:
      // a SIGKILLed worker's jobs come back after about lockDuration + stalledInterval.
      lockDuration: lockDurationFor(o.jobTimeoutMs),
      stalledInterval: o.stalledIntervalMs,
      // SIGKILLed workers are expected (deploys, chaos): a job may be caught in several of them.
      maxStalledCount: o.maxStalledCount,
      // Completed/failed per minute, for `bullmq_job_completed_total` / `_failed_total` (bounded list).
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    };

    const fanoutDeps: FanoutDeps = {
      ...o.fanout,
      userQueue: this.userQueue,
      logger: log.child({ module: 'batch' }),
    };
    this.#batchWorker = new Worker<BatchJobData>(
      QUEUE_BATCH,
      async (job, token, signal) => {
        try {
          return await runFanout(job, fanoutDeps, signal);
        } catch (err) {
          if (err instanceof FanoutInterrupted) return this.#requeue(job, token);
          throw err;
        }
      },
      { ...common, concurrency: 1 },
    );

    const pacing = new Pacing({
      queue: this.userQueue,
      maxPauseMs: o.maxPauseMs,
      configRecheckMs: o.configRecheckMs,
      logger: log.child({ module: 'pacing' }),
      onPause: (f) => {
        o.metrics.queuePaused.inc({ reason: f.reason });
        o.metrics.jobs.inc({ queue: QUEUE_USER, outcome: 'paused' });
      },
    });
    const userDeps: UserJobDeps = {
      ...o.user,
      pacing,
      isShuttingDown: () => this.#shuttingDown,
      logger: log.child({ module: 'user-job' }),
      onOutcome: (r) => this.#countOutcome(r),
    };
    this.#userWorker = new Worker<UserJobData>(
      QUEUE_USER,
      (job, token, signal) => processUserJob(job, token, signal, userDeps),
      {
        ...common,
        concurrency: o.concurrency,
        // BullMQ's manual rateLimit only takes effect with a limiter configured.
        limiter: { max: o.limiterPerMinute, duration: 60_000 },
        // Re-check a long pause this often (a pause ends early when capacity comes back).
        maximumRateLimitDelay: Math.min(o.maxPauseMs, 30_000),
      },
    );

    for (const w of [this.#batchWorker, this.#userWorker] as Worker[]) {
      // Without an 'error' listener a Redis hiccup would crash the process.
      w.on('error', (err) => log.warn('worker error', { queue: w.name, error: err.message }));
      w.on('stalled', (jobId) => log.warn('job stalled; it will run again', { queue: w.name, jobId }));
    }
    this.#batchWorker.on('failed', (job, err) => {
      // A retry resumes from the saved cursor; a final failure leaves the run unfinished (its
      // summary has no fanout_finished_at) until an operator retries the job (Bull Board), which
      // resumes from its cursor as well.
      const fields = {
        runId: job?.data.runId ?? null,
        jobId: job?.id,
        attempt: job?.attemptsMade,
        error: err.message,
      };
      if (job?.finishedOn) log.error('batch fan-out failed for good; the run will not finish', fields);
      else log.warn('batch fan-out failed; it will resume from its cursor', fields);
    });
    this.#userWorker.on('failed', (job, err) => {
      // `finishedOn` is set only when the job failed for good (not when it will be retried).
      const final = Boolean(job?.finishedOn);
      o.metrics.jobs.inc({ queue: QUEUE_USER, outcome: final ? 'failed_job' : 'retry' });
      if (job && final && !(err instanceof JobSettled)) {
        settleFailedJob(job, userDeps).catch((e: unknown) =>
          log.error('could not settle a failed job', {
            jobId: job.id,
            error: e instanceof Error ? e.message : String(e),
          }),
        );
      }
    });
    log.info('worker started', {
      concurrency: o.concurrency,
      limiterPerMinute: o.limiterPerMinute,
      prefix: o.prefix,
      metricsPort: this.metricsPort,
      schedule: o.schedule,
    });
  }

  #countOutcome(r: UserJobResult): void {
    const m = this.#o.metrics;
    m.jobs.inc({ queue: QUEUE_USER, outcome: r.outcome });
    if (r.outcome === 'failed' && r.fallback)
      m.jobs.inc({ queue: QUEUE_USER, outcome: `fallback_${r.fallback}` });
    if (r.outcome === 'succeeded' && !r.recovered)
      m.generationSeconds.observe({ model: r.model }, r.generationMs / 1000);
  }

  async #requeue(job: Job, token: string | undefined): Promise<never> {
    if (token) await job.moveToWait(token);
    throw new WaitingError();
  }

  /**
   * Graceful stop: no new jobs; in-flight generations get `drainMs` to finish (their quota is
   * already spent), then are aborted and put back to wait; everything is closed within
   * `shutdownTimeoutMs`, forcing the workers closed if it comes to that.
   */
  async stop(): Promise<void> {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    const o = this.#o;
    const started = Date.now();
    const workers = [this.#batchWorker, this.#userWorker].filter((w): w is Worker => w !== undefined);
    o.logger.info('worker stopping', { drainMs: o.drainMs, shutdownTimeoutMs: o.shutdownTimeoutMs });
    const closing = Promise.all(workers.map((w) => w.close()));
    const abortTimer = setTimeout(() => {
      for (const w of workers) w.cancelAllJobs('shutdown');
    }, o.drainMs);
    const forced = await Promise.race([
      closing.then(() => false),
      new Promise<boolean>((r) =>
        setTimeout(() => r(true), Math.max(0, o.shutdownTimeoutMs - 2_000)).unref(),
      ),
    ]);
    clearTimeout(abortTimer);
    if (forced) {
      o.logger.warn('workers did not close in time; forcing (their jobs return through stall detection)');
      await Promise.all(workers.map((w) => w.close(true).catch(() => {})));
    }
    await Promise.allSettled([this.batchQueue.close(), this.userQueue.close()]);
    await new Promise<void>((r) => (this.#metricsServer ? this.#metricsServer.close(() => r()) : r()));
    o.logger.info('worker stopped', { ms: Date.now() - started, forced });
  }
}

/** The BullMQ lock of a job whose deadline is `jobTimeoutMs`: above it, by at most 30 s. */
export function lockDurationFor(jobTimeoutMs: number): number {
  return jobTimeoutMs + Math.min(30_000, jobTimeoutMs);
}
