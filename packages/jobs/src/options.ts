import type { JobsOptions } from 'bullmq';

const HOUR = 3_600;
const DAY = 24 * HOUR;

/**
 * Retention: completed jobs are kept 48 h — job-id deduplication only works while the earlier job
 * exists, and a same-day rerun must find them — and failed jobs 14 days for inspection in Bull
 * Board. Both bounded, so Redis does not grow night after night.
 */
export const RETENTION = {
  removeOnComplete: { age: 2 * DAY },
  removeOnFail: { age: 14 * DAY },
} as const satisfies Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'>;

/** Defaults of per-user jobs: a few attempts with exponential backoff and jitter for transient failures. */
export const USER_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 },
  ...RETENTION,
} as const satisfies JobsOptions;

/** Batch jobs: a crashed fan-out resumes from its cursor on the next attempt. */
export const BATCH_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
  ...RETENTION,
} as const satisfies JobsOptions;

/**
 * On-demand jobs jump the night's backlog with `lifo` (front of the wait list) rather than a
 * BullMQ priority: prioritized jobs live outside the `wait` list that KEDA measures, and adding
 * them costs O(log n).
 */
export const ON_DEMAND_JOB_OPTIONS = {
  ...USER_JOB_OPTIONS,
  lifo: true,
} as const satisfies JobsOptions;
