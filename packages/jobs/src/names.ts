// DESIGN §5: two queues, so pausing the per-user queue for quota never stops the batch itself.
export const QUEUE_BATCH = 'recs-batch';
export const QUEUE_USER = 'recs-user';

/** The Job Scheduler that fires the nightly batch on `RECS_CRON` in `RECS_TZ`. */
export const NIGHTLY_SCHEDULER_ID = 'recs-nightly';

export const JOB_NAMES = {
  /** On recs-batch: iterate active users and fan out one user job each. */
  batch: 'batch',
  /** On recs-user: generate (or refresh) one user's recommendation. */
  user: 'generate',
} as const;

/** Default BullMQ key prefix (`bull:recs-user:wait` is the list KEDA watches). */
export const DEFAULT_BULL_PREFIX = 'bull';
