import { z } from 'zod';
import { isRunId } from './ids.ts';

const runId = z.string().refine(isRunId, { error: "run id: letters, digits, '-' or '_'" });

/**
 * recs-batch job data. Scheduled jobs come from the Job Scheduler's template without a `runId`:
 * the worker derives it from the scheduled time and writes it back, with `cursor`/`enqueued` as
 * the fan-out progresses, so a crashed batch resumes where it stopped.
 */
export const batchJobDataSchema = z.object({
  runId: runId.optional(),
  trigger: z.enum(['schedule', 'manual']),
  /** Last tgid enqueued; a restarted batch resumes after it. */
  cursor: z.number().int().nonnegative().optional(),
  /** User jobs added so far by this batch. */
  enqueued: z.number().int().nonnegative().optional(),
});
export type BatchJobData = z.infer<typeof batchJobDataSchema>;

/** Why a user job exists: a batch run, an explicit refresh, or a cache miss seen by the API. */
export const userJobReasonSchema = z.enum(['batch', 'refresh', 'miss']);
export type UserJobReason = z.infer<typeof userJobReasonSchema>;

/** recs-user job data. */
export const userJobDataSchema = z.object({
  tgid: z.number().int().positive(),
  /** The batch run this job belongs to (counted in its summary); absent for on-demand jobs. */
  runId: runId.optional(),
  reason: userJobReasonSchema,
});
export type UserJobData = z.infer<typeof userJobDataSchema>;
