import { randomBytes } from 'node:crypto';
import type { Redis } from '@mealwise/redis';
import { Queue } from 'bullmq';
import { batchJobId, manualRunId, refreshDedupId } from './ids.ts';
import { DEFAULT_BULL_PREFIX, JOB_NAMES, QUEUE_BATCH, QUEUE_USER } from './names.ts';
import { BATCH_JOB_OPTIONS, ON_DEMAND_JOB_OPTIONS } from './options.ts';
import type { BatchJobData, UserJobData } from './payloads.ts';

export interface RecsProducerOptions {
  /** An ioredis connection; BullMQ reuses it for commands. */
  connection: Redis;
  /** BullMQ key prefix (default `bull`; `{bull}` on Redis Cluster). */
  prefix?: string;
}

export interface EnqueuedBatch {
  runId: string;
  jobId: string;
  /** False when a batch job with this run id already existed (nothing new was added). */
  created: boolean;
}

export interface EnqueuedUserJob {
  jobId: string;
  /** False when a job for this user was already pending and this request joined it. */
  created: boolean;
}

/**
 * What the API and the CLI (and the worker's scheduler) use to put work on the queues, so every
 * producer uses the same job names, ids and options.
 */
export class RecsProducer {
  readonly batchQueue: Queue<BatchJobData>;
  readonly userQueue: Queue<UserJobData>;

  constructor(options: RecsProducerOptions) {
    const prefix = options.prefix ?? DEFAULT_BULL_PREFIX;
    this.batchQueue = new Queue<BatchJobData>(QUEUE_BATCH, { connection: options.connection, prefix });
    this.userQueue = new Queue<UserJobData>(QUEUE_USER, { connection: options.connection, prefix });
  }

  /** Runs the batch now, under its own run id (`manual-…`) unless one is given. */
  async enqueueBatch(options: { runId?: string; now?: Date } = {}): Promise<EnqueuedBatch> {
    const runId = options.runId ?? manualRunId(options.now ?? new Date());
    const jobId = batchJobId(runId);
    const existed = (await this.batchQueue.getJob(jobId)) !== undefined;
    const job = await this.batchQueue.add(
      JOB_NAMES.batch,
      { runId, trigger: 'manual' },
      { ...BATCH_JOB_OPTIONS, jobId },
    );
    return { runId, jobId: job.id ?? jobId, created: !existed };
  }

  /**
   * A high-priority job for one user (refresh, or a cache miss seen by the API), deduplicated:
   * while one is pending for this user, another request joins it instead of adding a second.
   */
  async enqueueOnDemand(tgid: number, reason: 'refresh' | 'miss'): Promise<EnqueuedUserJob> {
    // Our own unique id tells "added" from "joined": when the deduplication id is taken, BullMQ
    // returns the pending job's id instead of ours.
    const ownId = `${reason}-${tgid}-${Date.now()}-${randomBytes(3).toString('hex')}`;
    const job = await this.userQueue.add(
      JOB_NAMES.user,
      { tgid, reason },
      { ...ON_DEMAND_JOB_OPTIONS, jobId: ownId, deduplication: { id: refreshDedupId(tgid) } },
    );
    return { jobId: job.id ?? ownId, created: job.id === ownId };
  }

  async close(): Promise<void> {
    await Promise.all([this.batchQueue.close(), this.userQueue.close()]);
  }
}
