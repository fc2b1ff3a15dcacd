// End to end: the nightly Job Scheduler, fired every few seconds instead of nightly. Every firing
// of one day belongs to the same run (the date in RECS_TZ), so the second and later firings
// enqueue nobody again; two worker processes starting at once leave one scheduler.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BatchJobData, NIGHTLY_SCHEDULER_ID, QUEUE_BATCH, runIdForDate } from '@mealwise/jobs';
import { waitFor } from '@mealwise/testing';
import { type Job, Queue } from 'bullmq';
import { E2e } from './helpers/e2e.ts';

let e: E2e;
let batchQueue: Queue<BatchJobData>;

beforeAll(async () => {
  e = await E2e.start({ users: 60, seed: 9, projects: 1 });
  batchQueue = new Queue<BatchJobData>(QUEUE_BATCH, { connection: e.redis, prefix: e.bullPrefix });
}, 60_000);

afterAll(async () => {
  await batchQueue?.close();
  await e?.close();
}, 60_000);

describe('nightly scheduler', () => {
  it('every firing of a day is one run named by the date in RECS_TZ; later firings enqueue nobody', async () => {
    const active = await e.activeUsers();
    // UTC+14: for ten hours of every UTC day its date is tomorrow's, so UTC would not pass by luck.
    const tz = 'Pacific/Kiritimati';
    const env = { RECS_SCHEDULER_ENABLED: 'true', RECS_CRON: '*/2 * * * * *', RECS_TZ: tz };
    await Promise.all([e.startWorker(env), e.startWorker(env)]);
    expect(await batchQueue.getJobSchedulersCount()).toBe(1);
    expect(await batchQueue.getJobScheduler(NIGHTLY_SCHEDULER_ID)).toMatchObject({
      pattern: '*/2 * * * * *',
      tz,
    });

    const completed = await waitFor(
      async () => {
        const jobs = await batchQueue.getCompleted();
        return jobs.length >= 3 ? jobs : null;
      },
      { timeoutMs: 60_000, what: 'three scheduled batch jobs' },
    );
    const scheduledAt = (j: Job<BatchJobData>) => (j.opts as { prevMillis: number }).prevMillis;
    for (const j of completed) {
      expect(j.data).toMatchObject({
        trigger: 'schedule',
        runId: runIdForDate(new Date(scheduledAt(j)), tz),
      });
    }
    const runIds = [...new Set(completed.map((j) => j.data.runId!))];
    // (Two ids only if the test ran across midnight in Kiritimati.)
    expect(runIds.length).toBeLessThanOrEqual(2);
    const runId = runIds[0]!;
    const s = await e.waitForRun(runId, 60_000);
    expect(s).toMatchObject({ trigger: 'schedule', total: active.length, enqueued: active.length });
    expect(s.succeeded + s.skipped).toBe(active.length);
    // Every firing after the first found its users already enqueued.
    const enqueuedByFiring = completed
      .filter((j) => j.data.runId === runId)
      .map((j) => (j.returnvalue as { enqueued: number }).enqueued);
    expect(enqueuedByFiring.filter((n) => n > 0).length).toBeLessThanOrEqual(1);
    expect(enqueuedByFiring.reduce((a, b) => a + b, 0)).toBe(active.length);
    const jobsOfRun = (await e.userJobs()).filter((j) => j.data.runId === runId);
    expect(jobsOfRun).toHaveLength(active.length);
    expect(e.okCalls()).toBe(active.length);
  }, 120_000);
});
