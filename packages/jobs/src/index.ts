export {
  assertRunId,
  batchJobId,
  InvalidRunIdError,
  isRunId,
  manualRunId,
  refreshDedupId,
  runIdForDate,
  userJobId,
} from './ids.ts';
export { DEFAULT_BULL_PREFIX, JOB_NAMES, NIGHTLY_SCHEDULER_ID, QUEUE_BATCH, QUEUE_USER } from './names.ts';
export { BATCH_JOB_OPTIONS, ON_DEMAND_JOB_OPTIONS, RETENTION, USER_JOB_OPTIONS } from './options.ts';
export type { BatchJobData, UserJobData, UserJobReason } from './payloads.ts';
export { batchJobDataSchema, userJobDataSchema, userJobReasonSchema } from './payloads.ts';
export type { EnqueuedBatch, EnqueuedUserJob, RecsProducerOptions } from './producer.ts';
export { RecsProducer } from './producer.ts';
export type { RunFallback, RunOutcome, RunSummary, RunSummaryStoreOptions } from './run-summary.ts';
export { RunSummaryStore } from './run-summary.ts';
