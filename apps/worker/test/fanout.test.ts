import { afterAll, describe, expect, it } from '@jest/globals';
import {
  type BatchJobData,
  QUEUE_BATCH,
  QUEUE_USER,
  RunSummaryStore,
  type UserJobData,
} from '@mealwise/jobs';
import { silentLogger } from '@mealwise/logging';
import { RecommendationCache, type RecommendationRecord, statsHash } from '@mealwise/recs';
import { sampleRecord, sampleStats } from '@mealwise/recs/testing';
import { closeRedis, createRedis } from '@mealwise/redis';
import type { ActiveUsersQuery, UserStats } from '@mealwise/stats';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { Queue } from 'bullmq';
import { type ActiveUserSource, type FanoutDeps, runFanout } from '../src/batch/fanout.ts';

const redis = createRedis(TEST_REDIS_URL, { role: 'queue' });
const cleanup: string[] = [];
const queues: Queue[] = [];

/**
 * The fan-out's input port over a fixed list of active tgids (the real keyset iterator is tested
 * against PostgreSQL in packages/stats; here we test what the fan-out does with its pages).
 * `failAfterPages` simulates a crash mid-way.
 */
function source(
  tgids: number[],
  failAfterPages = Number.POSITIVE_INFINITY,
): ActiveUserSource & { pagesServed: number } {
  const s = {
    pagesServed: 0,
    async countActiveUsers() {
      return tgids.length;
    },
    async *activeUsers(q: ActiveUsersQuery) {
      const size = q.pageSize ?? 1000;
      const rest = tgids.filter((t) => q.after === undefined || t > q.after);
      for (let i = 0; i < rest.length; i += size) {
        if (s.pagesServed >= failAfterPages) throw new Error('connection terminated unexpectedly');
        s.pagesServed++;
        yield rest.slice(i, i + size);
      }
    },
  };
  return s;
}

/** Statistics of a user: orders = tgid % 7 + 5, so they differ between users and are stable. */
const statsOf = (tgid: number): UserStats => sampleStats({ orders_count: (tgid % 7) + 5 });

function setup(tgids: number[], failAfterPages?: number) {
  const prefix = uniquePrefix('bull');
  const runsPrefix = `${uniquePrefix('recs')}:`;
  const cachePrefix = `${uniquePrefix('cache')}:recommendations:user:`;
  cleanup.push(`${prefix}:`, runsPrefix, cachePrefix);
  const cache = new RecommendationCache({ redis, ttlSeconds: 3600, keyPrefix: cachePrefix });
  const statsCalls: number[] = [];
  const batchQueue = new Queue<BatchJobData>(QUEUE_BATCH, { connection: redis, prefix });
  const userQueue = new Queue<UserJobData>(QUEUE_USER, { connection: redis, prefix });
  queues.push(batchQueue, userQueue);
  const runs = new RunSummaryStore({ redis, prefix: runsPrefix });
  const users = source(tgids, failAfterPages);
  const deps: FanoutDeps = {
    users,
    stats: {
      getUserStats: async (tgid) => {
        statsCalls.push(tgid);
        return statsOf(tgid);
      },
    },
    cache,
    skipUnchangedForMs: 72 * 3_600_000,
    checkConcurrency: 4,
    userQueue,
    runs,
    minOrders: 5,
    days: 30,
    tz: 'UTC',
    chunkSize: 100,
    logger: silentLogger(),
  };
  return { batchQueue, userQueue, runs, users, deps, cache, statsCalls };
}

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  for (const p of cleanup) await deleteByPrefix(redis, p);
  await closeRedis(redis);
});

const range = (n: number, from = 1000) => Array.from({ length: n }, (_, i) => from + i * 3);

describe('runFanout', () => {
  it('enqueues one job per active user with deterministic ids, and records progress and the cursor', async () => {
    const tgids = range(250);
    const { batchQueue, userQueue, runs, deps } = setup(tgids);
    const job = await batchQueue.add('batch', { runId: 'r-2026-11-29', trigger: 'manual' });
    const result = await runFanout(job, deps);
    expect(result).toEqual({ runId: 'r-2026-11-29', total: 250, enqueued: 250, skipped: 0, finished: false });
    const waiting = await userQueue.getWaiting(0, -1);
    expect(waiting).toHaveLength(250);
    expect(new Set(waiting.map((j) => j.id))).toEqual(new Set(tgids.map((t) => `recs-r-2026-11-29-${t}`)));
    expect(waiting[0]!.data).toMatchObject({ runId: 'r-2026-11-29', reason: 'batch' });
    expect(job.data).toMatchObject({ cursor: tgids.at(-1), enqueued: 250 });
    expect(job.progress).toEqual({ enqueued: 250, total: 250, percent: 100 });
    expect(await runs.get('r-2026-11-29')).toMatchObject({
      total: 250,
      enqueued: 250,
      fanout_finished_at: expect.any(String),
    });
  });

  it('running the same run twice enqueues nobody twice', async () => {
    const tgids = range(120);
    const { batchQueue, userQueue, runs, deps } = setup(tgids);
    await runFanout(await batchQueue.add('batch', { runId: 'same', trigger: 'manual' }), deps);
    const second = await runFanout(await batchQueue.add('batch', { runId: 'same', trigger: 'manual' }), deps);
    expect(second.enqueued).toBe(0);
    expect(await userQueue.getWaitingCount()).toBe(120);
    expect((await runs.get('same'))?.enqueued).toBe(120);
  });

  it('a crashed fan-out resumes after its last page, counting nobody twice', async () => {
    const tgids = range(550);
    const crashing = setup(tgids, 3);
    const job = await crashing.batchQueue.add('batch', { runId: 'resume', trigger: 'schedule' });
    await expect(runFanout(job, crashing.deps)).rejects.toThrow('connection terminated');
    expect(job.data).toMatchObject({ cursor: tgids[299], enqueued: 300 });
    // The retry (a new attempt of the same job, with the data it saved) over a healthy source.
    const healthy = { ...crashing.deps, users: source(tgids) };
    const result = await runFanout(job, healthy);
    expect(result.enqueued).toBe(550);
    expect(await crashing.userQueue.getWaitingCount()).toBe(550);
    expect((await crashing.runs.get('resume'))?.enqueued).toBe(550);
  });

  it('names a scheduled run by its scheduled date in RECS_TZ', async () => {
    const { batchQueue, deps } = setup(range(3));
    const job = await batchQueue.add('batch', { trigger: 'schedule' });
    (job.opts as { prevMillis?: number }).prevMillis = Date.parse('2026-11-30T03:00:00Z');
    const r = await runFanout(job, { ...deps, tz: 'America/Los_Angeles' });
    expect(r.runId).toBe('2026-11-29');
    expect(job.data.runId).toBe('2026-11-29');
  });

  it('counts users unchanged since a fresh Gemini record as skipped without adding their jobs', async () => {
    const tgids = range(30);
    const { batchQueue, userQueue, runs, deps, cache, statsCalls } = setup(tgids);
    const record = (tgid: number, over: Partial<RecommendationRecord> = {}) =>
      sampleRecord({
        stats: statsOf(tgid),
        generated_at: new Date(Date.now() - 3_600_000).toISOString(),
        stats_hash: statsHash(statsOf(tgid)),
        ...over,
      });
    // 0–9 unchanged; 10–14 changed since; 15–19 rules; 20–24 stale; 25–29 no record.
    for (const [i, t] of tgids.entries()) {
      if (i < 10) await cache.put(t, record(t));
      else if (i < 15) await cache.put(t, record(t, { stats_hash: 'different' }));
      else if (i < 20) await cache.put(t, record(t, { source: 'rules', model: null }));
      else if (i < 25) await cache.put(t, record(t, { stale: true }));
    }
    const r = await runFanout(await batchQueue.add('batch', { runId: 'quiet', trigger: 'manual' }), deps);
    expect(r).toMatchObject({ enqueued: 30, skipped: 10, finished: false });
    expect(statsCalls.sort()).toEqual(tgids.slice(0, 15).sort());
    const jobs = await userQueue.getWaiting(0, -1);
    expect(jobs.map((j) => j.data.tgid).sort()).toEqual(tgids.slice(10).sort());
    expect(await runs.get('quiet')).toMatchObject({ enqueued: 30, skipped: 10, succeeded: 0 });
  });

  it('finishes a run at the end of the fan-out when every user was unchanged', async () => {
    const tgids = range(5);
    const { batchQueue, runs, deps, cache } = setup(tgids);
    for (const t of tgids) {
      await cache.put(
        t,
        sampleRecord({
          stats: statsOf(t),
          generated_at: new Date().toISOString(),
          stats_hash: statsHash(statsOf(t)),
        }),
      );
    }
    const r = await runFanout(await batchQueue.add('batch', { runId: 'allquiet', trigger: 'manual' }), deps);
    expect(r).toMatchObject({ enqueued: 5, skipped: 5, finished: true });
    expect((await runs.get('allquiet'))?.finished_at).not.toBeNull();
  });

  it('finishes an empty run at once', async () => {
    const { batchQueue, runs, deps } = setup([]);
    const r = await runFanout(await batchQueue.add('batch', { runId: 'empty', trigger: 'manual' }), deps);
    expect(r).toMatchObject({ enqueued: 0, finished: true });
    expect((await runs.get('empty'))?.finished_at).not.toBeNull();
  });
});
