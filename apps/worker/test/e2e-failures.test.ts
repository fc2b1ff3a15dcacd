// End to end: Gemini failures the emulator scripts, in order, for users processed one at a time.
// Transient failures are retried (in the generation, then as a job attempt) and end as `gemini`;
// invalid answers end as `stale` (yesterday's record kept) or `rules` — never a blank. Jobs that
// end outside the normal path (a deleted user, a job failed by stall detection) still settle.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JOB_NAMES, type RunSummary, USER_JOB_OPTIONS, userJobId } from '@mealwise/jobs';
import type { RecommendationRecord } from '@mealwise/recs';
import { sampleRecord } from '@mealwise/recs/testing';
import { E2e, logLines, type WorkerProcess } from './helpers/e2e.ts';

let e: E2e;
let worker: WorkerProcess;
let active: number[];
let previous: RecommendationRecord;

// A day-old record whose hash cannot match today's statistics, so the worker regenerates it.
const yesterday = (tgid: number): RecommendationRecord =>
  sampleRecord({ generated_at: new Date(Date.now() - 86_400_000).toISOString(), stats_hash: `old-${tgid}` });

beforeAll(async () => {
  e = await E2e.start({
    users: 60,
    seed: 3,
    projects: 2,
    emulator: {
      faults: {
        script: [
          // user 1 (has yesterday's record): two unusable answers → stale
          'malformed',
          'wrongSchema',
          // user 2 (no record): two unusable answers → rules
          'safety',
          'empty',
          // user 3: 503, a hang (client timeout), 500, then an answer → gemini
          'unavailable',
          'hang',
          'internal',
          'ok',
          // user 4: the whole generation fails on 503s → the job is retried later → gemini
          'unavailable',
          'unavailable',
          'unavailable',
          'unavailable',
          'unavailable',
          'unavailable',
        ],
      },
    },
  });
  active = await e.activeUsers();
  previous = yesterday(active[0]!);
  await e.cache.put(active[0]!, previous);
  // One job at a time, so the script's entries go to users 1, 2, 3, 4 in order.
  worker = await e.startWorker({
    WORKER_CONCURRENCY: 1,
    GEMINI_TIMEOUT_MS: 1_000,
    WORKER_RETRY_DELAY_MS: 500,
  });
}, 60_000);

afterAll(async () => {
  await e?.close();
}, 60_000);

describe('Gemini failures', () => {
  let summary: RunSummary;

  it('transient failures end as gemini after retries; invalid answers as stale or rules; nobody is left blank', async () => {
    const [u1, u2, u3, u4] = active as [number, number, number, number];
    const { runId } = await e.producer.enqueueBatch({ runId: `faults-${Date.now()}` });
    summary = await e.waitForRun(runId, 120_000);
    expect(summary).toMatchObject({
      total: active.length,
      succeeded: active.length - 2,
      failed: 2,
      fallback: 2,
      fallback_stale: 1,
      fallback_rules: 1,
    });

    const records = await e.cache.getMany(active);
    expect(records.size).toBe(active.length);
    // Yesterday's record kept, flagged stale.
    expect(records.get(u1)).toEqual({ ...previous, stale: true });
    // Rules-based advice from the statistics.
    expect(records.get(u2)).toMatchObject({ source: 'rules', model: null, run_id: runId });
    expect(records.get(u2)!.summary.length).toBeGreaterThan(0);
    expect(records.get(u2)!.tips.length).toBeGreaterThanOrEqual(2);
    for (const t of active.slice(2))
      expect(records.get(t)).toMatchObject({ source: 'gemini', run_id: runId });

    // The invalid answers failed their jobs for good after one attempt, fallback named.
    for (const [t, fallback] of [
      [u1, 'stale'],
      [u2, 'rules'],
    ] as const) {
      const job = await e.userQueue.getJob(userJobId(runId, t));
      expect(await job!.getState()).toBe('failed');
      expect(job!.attemptsMade).toBe(1);
      expect(job!.failedReason).toContain(`user got a ${fallback} record`);
    }
    // User 3: four calls in one generation. User 4: a failed attempt, then the job's retry.
    const generated = logLines(worker).filter((l) => l.message === 'recommendation generated');
    expect(generated.find((l) => l.tgid === u3)).toMatchObject({ attempts: 4 });
    const retried = await e.userQueue.getJob(userJobId(runId, u4));
    expect(await retried!.getState()).toBe('completed');
    expect(retried!.attemptsMade).toBe(2);
    expect(logLines(worker).find((l) => l.message === 'generation failed; will retry')).toMatchObject({
      tgid: u4,
      attempt: 1,
    });
    const byReason = e.emulator.stats().byReason;
    expect(byReason).toMatchObject({
      malformed: 1,
      wrongSchema: 1,
      safety: 1,
      empty: 1,
      hang: 1,
      INTERNAL: 1,
    });
    expect(byReason.UNAVAILABLE).toBe(7);
  }, 150_000);

  it('a user deleted since the fan-out: the job fails once, counted as failed without a fallback; the run finishes', async () => {
    const runId = `gone-${Date.now()}`;
    const ghost = 4_000_000_001;
    await e.runs.begin(runId, { total: 1, trigger: 'manual' });
    await e.runs.countEnqueued(runId, [ghost]);
    await e.runs.finishFanout(runId);
    await e.userQueue.add(
      JOB_NAMES.user,
      { tgid: ghost, runId, reason: 'batch' },
      { ...USER_JOB_OPTIONS, jobId: userJobId(runId, ghost) },
    );
    const s = await e.waitForRun(runId, 30_000);
    expect(s).toMatchObject({ enqueued: 1, failed: 1, fallback: 0, succeeded: 0 });
    const job = await e.userQueue.getJob(userJobId(runId, ghost));
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect((await e.cache.get(ghost)).status).toBe('miss');
  }, 60_000);

  it('a job failed by stall detection (caught in too many crashes) still settles its user', async () => {
    const runId = `stalled-${Date.now()}`;
    const user = active[5]!;
    const before = e.emulator.stats().requests;
    await e.runs.begin(runId, { total: 1, trigger: 'manual' });
    await e.runs.countEnqueued(runId, [user]);
    await e.runs.finishFanout(runId);
    const job = await e.userQueue.add(
      JOB_NAMES.user,
      { tgid: user, runId, reason: 'batch' },
      { ...USER_JOB_OPTIONS, jobId: userJobId(runId, user), delay: 1_500 },
    );
    // What BullMQ's stall check leaves on a job stalled more than maxStalledCount times: a
    // deferred failure, applied by the next worker that picks the job up, without running it.
    await e.redis.hset(
      `${e.bullPrefix}:recs-user:${job.id}`,
      'defa',
      'job stalled more than allowable limit',
    );
    const s = await e.waitForRun(runId, 30_000);
    expect(s).toMatchObject({ failed: 1, fallback: 1, fallback_stale: 1 });
    expect(await (await e.userQueue.getJob(job.id!))!.getState()).toBe('failed');
    expect(
      (await e.cache.get(user)).status === 'hit' && (await e.cache.getMany([user])).get(user)?.stale,
    ).toBe(true);
    expect(e.emulator.stats().requests).toBe(before);
    expect(
      logLines(worker).find((l) => l.message === 'job failed outside its processor; user settled'),
    ).toMatchObject({
      tgid: user,
      fallback: 'stale',
    });
  }, 60_000);
});
