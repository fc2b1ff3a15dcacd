// How a user job ends when something other than a clean generation happens: the run summary and
// the cache are real (Redis); the statistics source and the generator are scripted.
import { afterAll, describe, expect, it } from '@jest/globals';
import { GenerationFailedError, TransientError } from '@mealwise/gemini';
import { RunSummaryStore, USER_JOB_OPTIONS, type UserJobData } from '@mealwise/jobs';
import { captureLogger } from '@mealwise/logging/testing';
import { RecommendationCache } from '@mealwise/recs';
import { sampleRecord, sampleStats } from '@mealwise/recs/testing';
import { closeRedis, createRedis } from '@mealwise/redis';
import { UserNotFoundError, type UserStats } from '@mealwise/stats';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import type { Job } from 'bullmq';
import { classifyFailure } from '../src/user/classify.ts';
import { Pacing } from '../src/user/pacing.ts';
import type { Generated } from '../src/user/ports.ts';
import { JobSettled, processUserJob, settleFailedJob, type UserJobDeps } from '../src/user/process-user.ts';

const redis = createRedis(TEST_REDIS_URL, { role: 'command' });
const ns = `${uniquePrefix('pu')}:`;
afterAll(async () => {
  await deleteByPrefix(redis, ns);
  await closeRedis(redis);
});

const stats = sampleStats();
// Yesterday's record, kept (marked stale) when today's generation fails.
const previous = sampleRecord({ stats, generated_at: '2026-11-28T03:10:00.000Z', stats_hash: 'old' });

let nextTgid = 7_000_000_000;

function setup(o: { stats?: () => Promise<UserStats>; generate?: () => Promise<Generated> }) {
  const { logger, lines } = captureLogger();
  const cache = new RecommendationCache({ redis, ttlSeconds: 600, keyPrefix: `${ns}recommendations:user:` });
  const runs = new RunSummaryStore({ redis, prefix: `${ns}recs:` });
  const deps: UserJobDeps = {
    stats: { getUserStats: o.stats ?? (async () => stats) },
    generator: { generateRecommendation: o.generate ?? (() => Promise.reject(new Error('not called'))) },
    classify: classifyFailure,
    cache,
    runs,
    pacing: new Pacing({
      queue: { rateLimit: async () => {}, getRateLimitTtl: async () => 0 },
      maxPauseMs: 1000,
      configRecheckMs: 1000,
      logger,
    }),
    days: 30,
    skipUnchangedForMs: 0,
    jobTimeoutMs: 10_000,
    isShuttingDown: () => false,
    logger,
  };
  return { deps, lines, cache, runs };
}

/** A run with one enqueued user and that user's job at a given attempt. */
async function runOf(runs: RunSummaryStore, attemptsMade: number) {
  const tgid = nextTgid++;
  const runId = uniquePrefix('run');
  await runs.begin(runId, { total: 1, trigger: 'manual' });
  await runs.countEnqueued(runId, [tgid]);
  await runs.finishFanout(runId);
  const job = {
    id: `recs-${runId}-${tgid}`,
    data: { tgid, runId, reason: 'batch' },
    opts: USER_JOB_OPTIONS,
    attemptsMade,
  } as unknown as Job<UserJobData>;
  return { tgid, runId, job };
}

const dbDown = async (): Promise<UserStats> => {
  throw new Error('Connection terminated unexpectedly');
};

describe('processUserJob: the ends other than success', () => {
  it('a database failure is retried as a job attempt, counting nothing', async () => {
    const { deps, runs } = setup({ stats: dbDown });
    const { job, runId } = await runOf(runs, 0);
    await expect(processUserJob(job, 'token', undefined, deps)).rejects.toThrow('Connection terminated');
    expect(await runs.get(runId)).toMatchObject({ failed: 0, finished_at: null });
  });

  it('on the last attempt it settles the user: yesterday’s record kept (stale), counted as failed, run finished', async () => {
    const { deps, runs, cache } = setup({ stats: dbDown });
    const { job, runId, tgid } = await runOf(runs, USER_JOB_OPTIONS.attempts - 1);
    await cache.put(tgid, previous);
    await expect(processUserJob(job, 'token', undefined, deps)).rejects.toBeInstanceOf(JobSettled);
    expect(await runs.get(runId)).toMatchObject({
      failed: 1,
      fallback_stale: 1,
      finished_at: expect.any(String),
    });
    expect((await cache.getMany([tgid])).get(tgid)).toEqual({ ...previous, stale: true });
  });

  it('a user deleted since the fan-out fails at once, without a fallback and without retries', async () => {
    const { deps, runs, cache } = setup({
      stats: async () => {
        throw new UserNotFoundError(1);
      },
    });
    const { job, runId, tgid } = await runOf(runs, 0);
    await expect(processUserJob(job, 'token', undefined, deps)).rejects.toBeInstanceOf(JobSettled);
    expect(await runs.get(runId)).toMatchObject({ failed: 1, fallback: 0, finished_at: expect.any(String) });
    expect((await cache.get(tgid)).status).toBe('miss');
  });

  it('a transient generation failure before the last attempt is rethrown as is, logged once', async () => {
    const failure = new GenerationFailedError(
      new TransientError('server', '503', { httpStatus: 503 }),
      6,
      'x',
    );
    const { deps, runs, lines } = setup({ generate: () => Promise.reject(failure) });
    const { job, runId } = await runOf(runs, 0);
    await expect(processUserJob(job, 'token', undefined, deps)).rejects.toBe(failure);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'generation failed; will retry',
    ]);
    expect((await runs.get(runId))?.failed).toBe(0);
  });

  it('a job re-run after its worker died having stored the record counts the user without calling Gemini, and says so', async () => {
    const { deps, runs, cache, lines } = setup({});
    const { job, runId, tgid } = await runOf(runs, 1);
    // What the dead worker left: this run's record, stored, the user not yet counted.
    await cache.put(tgid, sampleRecord({ stats, run_id: runId, generated_at: new Date().toISOString() }));
    await expect(processUserJob(job, 'token', undefined, deps)).resolves.toMatchObject({
      outcome: 'succeeded',
      recovered: true,
    });
    expect(await runs.get(runId)).toMatchObject({ succeeded: 1, finished_at: expect.any(String) });
    expect(lines.filter((l) => l.message === 'recommendation recovered')).toEqual([
      expect.objectContaining({ tgid, runId }),
    ]);
  });

  it('settleFailedJob (a job failed by stall detection) writes rules advice once and counts the user once', async () => {
    const { deps, runs, cache } = setup({});
    const { job, runId, tgid } = await runOf(runs, 0);
    expect(await settleFailedJob(job, deps)).toMatchObject({ outcome: 'failed', fallback: 'rules' });
    expect(await settleFailedJob(job, deps)).toBeNull();
    expect(await runs.get(runId)).toMatchObject({
      failed: 1,
      fallback_rules: 1,
      finished_at: expect.any(String),
    });
    expect((await cache.getMany([tgid])).get(tgid)).toMatchObject({ source: 'rules', run_id: runId });
  });

  it('a stored generation logs one `recommendation cached` (jobId, tgid, runId); a re-run of the job logs none', async () => {
    let calls = 0;
    const { deps, runs, lines } = setup({
      generate: async () => {
        calls++;
        return {
          summary: 'Сводка.',
          tips: ['Совет один.', 'Совет два.'],
          model: 'gemini-2.5-flash-lite',
          keyFingerprint: 'abcdefabcdef',
          usage: { promptTokens: 10, outputTokens: 5, totalTokens: 15 },
          latencyMs: 3,
          attempts: 1,
        };
      },
    });
    const { job, runId, tgid } = await runOf(runs, 0);
    expect(await processUserJob(job, 'token', undefined, deps)).toMatchObject({ outcome: 'succeeded' });
    // The same job again (a stalled job re-run elsewhere): counted already, no call, no marker.
    expect(await processUserJob(job, 'token', undefined, deps)).toMatchObject({ outcome: 'duplicate' });
    expect(calls).toBe(1);
    const cached = lines.filter((l) => l.message === 'recommendation cached');
    expect(cached).toEqual([
      expect.objectContaining({ level: 'info', tgid, runId, jobId: job.id, keyFingerprint: 'abcdefabcdef' }),
    ]);
  });
});
