import {
  databaseEnv,
  type Env,
  envVar,
  geminiClientEnv,
  logEnv,
  parseEnv,
  queueEnv,
  recsEnv,
  redisEnv,
} from '@mealwise/config';
import { geminiPoolEnv } from '@mealwise/key-pool';
import { z } from 'zod';

const workerEnv = z.object({
  /** User jobs in flight per process. */
  WORKER_CONCURRENCY: envVar.int({ min: 1, max: 256 }).default(8),
  /** Prometheus `/metrics` port; 0 = any free port. */
  WORKER_METRICS_PORT: envVar.int({ min: 0, max: 65_535 }).default(9464),
  /** Graceful stop bound on SIGTERM (keep it below the orchestrator's grace period). */
  WORKER_SHUTDOWN_TIMEOUT_MS: envVar.int({ min: 1_000, max: 600_000 }).default(25_000),
  /** On SIGTERM, in-flight generations may finish this long before they are aborted and requeued. */
  WORKER_DRAIN_MS: envVar.int({ min: 0, max: 600_000 }).default(10_000),
  /** Per-job deadline; the BullMQ lock lasts longer (by min(30 s, the deadline)), so no job stays active forever. */
  WORKER_JOB_TIMEOUT_MS: envVar.int({ min: 1_000, max: 3_600_000 }).default(90_000),
  /** Longest single queue pause for lack of capacity (a pause until Pacific midnight is taken in steps). */
  WORKER_MAX_PAUSE_MS: envVar.int({ min: 100, max: 3_600_000 }).default(60_000),
  /** After "all keys invalid" or "model not found": wait this long, log again, re-check. */
  WORKER_CONFIG_RECHECK_MS: envVar.int({ min: 100, max: 3_600_000 }).default(300_000),
  /** Stall detection: how often, and how many stalls (crashed workers) a job survives. */
  WORKER_STALLED_INTERVAL_MS: envVar.int({ min: 500, max: 600_000 }).default(30_000),
  WORKER_MAX_STALLED_COUNT: envVar.int({ min: 1, max: 100 }).default(5),
  /** Jobs started per minute across all workers; default = the pool's capacity (projects × RPM). */
  WORKER_LIMITER_PER_MINUTE: envVar.int({ min: 1 }).optional(),
  /** First retry delay of a batch user job after a transient failure (then ×2 per attempt, with jitter). */
  WORKER_RETRY_DELAY_MS: envVar.int({ min: 100, max: 3_600_000 }).default(30_000),
  /** Users per keyset page and per addBulk in the fan-out. */
  WORKER_FANOUT_CHUNK: envVar.int({ min: 10, max: 10_000 }).default(500),
  /** Maintain the nightly Job Scheduler from this process (false: another process owns it). */
  RECS_SCHEDULER_ENABLED: envVar.bool().default(true),
  /** Skip users whose stats are unchanged since a record at most this old; 0 = always regenerate. */
  RECS_SKIP_UNCHANGED_HOURS: envVar.int({ min: 0, max: 24 * 30 }).default(72),
});

export const workerConfigSchema = z
  .object({
    ...databaseEnv.shape,
    ...redisEnv.shape,
    ...logEnv.shape,
    ...queueEnv.shape,
    ...recsEnv.shape,
    ...geminiPoolEnv.shape,
    ...geminiClientEnv.shape,
    ...workerEnv.shape,
  })
  .superRefine((c, ctx) => {
    // The service aborts in-flight calls after the drain and forces its workers closed 2 s before
    // the bound: a drain past that point would never abort (jobs would wait for stall detection).
    if (c.WORKER_DRAIN_MS > c.WORKER_SHUTDOWN_TIMEOUT_MS - 2_000) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKER_DRAIN_MS'],
        message: `must be at most WORKER_SHUTDOWN_TIMEOUT_MS - 2000 (${c.WORKER_SHUTDOWN_TIMEOUT_MS - 2_000})`,
      });
    }
  });

export type WorkerConfig = z.output<typeof workerConfigSchema>;

export function parseWorkerConfig(env: Env): WorkerConfig {
  return parseEnv(workerConfigSchema, env);
}
