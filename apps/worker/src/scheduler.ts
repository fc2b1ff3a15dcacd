import { BATCH_JOB_OPTIONS, type BatchJobData, JOB_NAMES, NIGHTLY_SCHEDULER_ID } from '@mealwise/jobs';
import type { Logger } from '@mealwise/logging';
import type { Queue } from 'bullmq';

export interface ScheduleSpec {
  /** `RECS_CRON`, e.g. `0 3 * * *`. */
  cron: string;
  /** `RECS_TZ`, e.g. `UTC`. */
  tz: string;
}

const TEMPLATE_DATA: BatchJobData = { trigger: 'schedule' };
const TEMPLATE_OPTS = BATCH_JOB_OPTIONS;

/**
 * Makes sure the nightly Job Scheduler exists with this pattern, time zone and template —
 * upserting **only when something differs**. An unconditional upsert at 03:05, before a worker
 * picked up 03:00's job, would replace tonight's run with tomorrow's (bullmq.md). Ten processes
 * starting at once each see either "same" (no write) or race into the same one-script upsert,
 * which leaves a single scheduler.
 */
export async function ensureNightlyScheduler(
  queue: Queue<BatchJobData>,
  spec: ScheduleSpec,
  logger: Logger,
): Promise<'created' | 'updated' | 'unchanged'> {
  const current = await queue.getJobScheduler(NIGHTLY_SCHEDULER_ID);
  if (
    current &&
    current.pattern === spec.cron &&
    (current.tz ?? 'UTC') === spec.tz &&
    current.name === JOB_NAMES.batch &&
    sameJson(current.template?.data ?? {}, TEMPLATE_DATA) &&
    sameJson(pickOpts(current.template?.opts ?? {}), pickOpts(TEMPLATE_OPTS))
  ) {
    logger.info('nightly scheduler unchanged', {
      cron: spec.cron,
      tz: spec.tz,
      next: isoOrNull(current.next),
    });
    return 'unchanged';
  }
  const job = await queue.upsertJobScheduler(
    NIGHTLY_SCHEDULER_ID,
    { pattern: spec.cron, tz: spec.tz },
    { name: JOB_NAMES.batch, data: TEMPLATE_DATA, opts: TEMPLATE_OPTS },
  );
  const verb = current ? 'updated' : 'created';
  logger.info(`nightly scheduler ${verb}`, {
    cron: spec.cron,
    tz: spec.tz,
    previous: current ? { cron: current.pattern, tz: current.tz } : null,
    next: isoOrNull((job?.opts as { prevMillis?: number } | undefined)?.prevMillis),
  });
  return verb;
}

function isoOrNull(ms: number | undefined): string | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

// Only the options we set matter; BullMQ may store extra fields in the template.
function pickOpts(opts: object): Record<string, unknown> {
  const o = opts as Record<string, unknown>;
  return {
    attempts: o.attempts,
    backoff: o.backoff,
    removeOnComplete: o.removeOnComplete,
    removeOnFail: o.removeOnFail,
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
