// Scenario 6 — scheduler under deploys: five worker processes, each maintaining the nightly Job
// Scheduler (RECS_SCHEDULER_ENABLED), are restarted over and over — SIGTERM and SIGKILL, as
// rolling deploys and crashes would — from before the scheduled time until after it. Exactly one
// batch run may happen: one scheduler, one firing, one run id, every user once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BatchJobData, NIGHTLY_SCHEDULER_ID, runIdForDate } from '@mealwise/jobs';
import type { Job } from 'bullmq';
import { type Stack, startStack, type WorkerHandle } from '../src/harness/index.ts';
import { recordScenario } from '../src/report.ts';
import { expectNoSecrets, expectSound, invariantColumns, tearDown } from './support/scenario.ts';

const USERS = 300;
const SLOTS = 5;
const TZ = 'UTC';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    name: '06-scheduler-deploys',
    users: USERS,
    emulator: { latency: { baseMs: 50, jitterMs: 100 } },
    env: {
      WORKER_CONCURRENCY: 4,
      WORKER_JOB_TIMEOUT_MS: 4_000,
      WORKER_STALLED_INTERVAL_MS: 1_000,
      WORKER_SHUTDOWN_TIMEOUT_MS: 4_000,
      WORKER_DRAIN_MS: 500,
    },
  });
}, 180_000);

afterAll(() => tearDown(stack), 60_000);

/** A daily 6-field cron firing at `at` (UTC, whole second). */
function dailyCronAt(at: Date): string {
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

describe('06 scheduler under deploys', () => {
  it('5 workers restarted repeatedly around the scheduled time: exactly one batch run', async () => {
    // Far enough ahead for five cold starts on a loaded machine, near enough to keep the test short.
    const fireAt = new Date(Math.ceil((Date.now() + 40_000) / 1000) * 1000);
    const env = { RECS_SCHEDULER_ENABLED: 'true', RECS_CRON: dailyCronAt(fireAt), RECS_TZ: TZ };
    const runId = runIdForDate(fireAt, TZ);

    const slots: WorkerHandle[] = await Promise.all(
      Array.from({ length: SLOTS }, () => stack.startWorker(env)),
    );
    // The scheduler must exist before its time (cold starts on a loaded machine can be slow).
    expect(Date.now()).toBeLessThan(fireAt.getTime() - 5_000);
    // Deploys: every slot restarts its worker again and again from 12 s before the firing until
    // 12 s after it (and at least three times); every third stop is a SIGKILL (a crash), the rest SIGTERM (a rolling deploy).
    const windowStart = fireAt.getTime() - 12_000;
    const windowEnd = fireAt.getTime() + 12_000;
    await sleep(Math.max(0, windowStart - Date.now()));
    let restarts = 0;
    let kills = 0;
    const churn = async (slot: number) => {
      let n = 0;
      // At least three restarts per slot even when cold starts are slow (a loaded machine).
      while (Date.now() < windowEnd || n < 3) {
        await sleep(1_000 + Math.random() * 2_500);
        const old = slots[slot]!;
        const crash = (n++ + slot) % 3 === 0;
        if (crash) {
          old.kill('SIGKILL');
          kills++;
        } else old.kill('SIGTERM');
        await old.exited;
        slots[slot] = await stack.startWorker(env);
        restarts++;
      }
    };
    await Promise.all(Array.from({ length: SLOTS }, (_, i) => churn(i)));
    const churnEnd = Date.now();

    const summary = await stack.waitForRun(runId, { timeoutMs: 120_000 });
    const startedLateMs = Date.parse(summary.started_at!) - fireAt.getTime();

    // Exactly one run: one run id in the index of runs, the scheduled one.
    expect(await stack.redis.zrange('recs:runs', 0, -1)).toEqual([runId]);
    expect(summary).toMatchObject({ run_id: runId, trigger: 'schedule', total: USERS, enqueued: USERS });
    // One scheduler; its template fired once for our time (the next firing is tomorrow's).
    const batchQueue = stack.producer.batchQueue;
    expect(await batchQueue.getJobSchedulersCount()).toBe(1);
    const scheduler = await batchQueue.getJobScheduler(NIGHTLY_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ pattern: env.RECS_CRON, tz: TZ });
    expect(Number(scheduler!.next)).toBeGreaterThan(fireAt.getTime() + 23 * 3_600_000);
    const jobs = (await batchQueue.getJobs([
      'completed',
      'failed',
      'active',
      'wait',
      'delayed',
      'prioritized',
    ])) as Job<BatchJobData>[];
    const fired = jobs.filter((j) => Number((j.opts as { prevMillis?: number }).prevMillis) <= Date.now());
    const firingTimes = new Set(fired.map((j) => (j.opts as { prevMillis?: number }).prevMillis));
    expect([...firingTimes]).toEqual([fireAt.getTime()]);
    // Each batch job that ran (a SIGKILL may have made one run twice) enqueued the users once in all.
    const enqueued = fired
      .filter((j) => j.returnvalue)
      .reduce((a, j) => a + ((j.returnvalue as { enqueued?: number }).enqueued ?? 0), 0);
    expect(enqueued).toBe(USERS);

    const inv = await stack.checkInvariants(runId);
    expectSound(inv, USERS);
    expect(restarts).toBeGreaterThanOrEqual(SLOTS * 3);

    const secretHits = await expectNoSecrets(stack);
    recordScenario({
      id: '06-scheduler-deploys',
      title: 'Scheduler under deploys: 5 workers restarted repeatedly around the scheduled time',
      users: USERS,
      succeeded: inv.gemini + inv.fresh,
      ...invariantColumns(inv),
      recoveryMs: startedLateMs,
      fiveXx: 0,
      durationMs: Date.parse(summary.finished_at!) - fireAt.getTime(),
      secretHits,
      extra: {
        'batch runs': 1,
        'worker restarts (from 12 s before the firing, ≥ 3 per slot)': restarts,
        'of them SIGKILL': kills,
        'worker processes started': stack.workers.length,
        'batch jobs that ran for the firing': fired.length,
        'run finished': (() => {
          const d = Date.parse(summary.finished_at!) - churnEnd;
          return d < 0 ? `during the restarts` : `${(d / 1000).toFixed(1)} s after the last restart`;
        })(),
      },
      notes:
        'Recovery here is how late the run started after its scheduled time (run started_at − firing), ' +
        'with workers being replaced throughout; duration runs from the scheduled time to the run finishing.',
    });
  }, 240_000);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
