import { afterAll, describe, expect, it } from '@jest/globals';
import { RunSummaryStore } from '@mealwise/jobs';
import { RecommendationCache } from '@mealwise/recs';
import { sampleRecord } from '@mealwise/recs/testing';
import { closeRedis, createRedis } from '@mealwise/redis';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { Queue, Worker } from 'bullmq';
import { run as runWith } from './run.ts';

const bullPrefix = uniquePrefix('bull');
const env = { REDIS_URL: TEST_REDIS_URL, BULL_PREFIX: bullPrefix };
const redis = createRedis(TEST_REDIS_URL, { role: 'queue' });
const cache = new RecommendationCache({ redis, ttlSeconds: 600 });
// Telegram-sized ids no other test uses.
const seenRuns: string[] = [];
const base = 9_000_000_000 + Math.floor(Math.random() * 1_000_000) * 10;

const run = (argv: string[]) => runWith(argv, env);

const record = sampleRecord();

afterAll(async () => {
  await deleteByPrefix(redis, `${bullPrefix}:`);
  for (let i = 0; i < 10; i++) await redis.del(cache.key(base + i));
  await closeRedis(redis);
});

describe('mealwise batch', () => {
  it('batch run queues a manual run under its own id', async () => {
    const r = await run(['batch', 'run', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.run_id).toMatch(/^manual-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(out.job_id).toBe(`batch-${out.run_id}`);
    seenRuns.push(out.run_id);
  });

  it('batch run --wait returns the summary once the run finishes', async () => {
    const store = new RunSummaryStore({ redis });
    const waiting = run(['batch', 'run', '--wait', '--json', '--timeout', '30']);
    // Play the worker's part on the run summary once the batch job exists.
    const q = new Queue('recs-batch', { connection: redis, prefix: bullPrefix });
    let runId: string | undefined;
    while (!runId) {
      runId = (await q.getWaiting()).map((j) => j.data.runId as string).find((id) => !seenRuns.includes(id));
      if (!runId) await new Promise((res) => setTimeout(res, 50));
    }
    await store.begin(runId, { total: 2, trigger: 'manual' });
    await store.countEnqueued(runId, [1, 2]);
    await store.finishFanout(runId);
    await store.recordOutcome(runId, 1, 'succeeded');
    await store.recordOutcome(runId, 2, 'failed', 'stale');
    await q.close();
    const r = await waiting;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      run_id: runId,
      enqueued: 2,
      succeeded: 1,
      failed: 1,
      fallback_stale: 1,
    });
  });

  it('batch status names an unknown run and exits 1; rejects a malformed id with usage', async () => {
    const r = await run(['batch', 'status', 'no-such-run', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ run_id: 'no-such-run', summary: null });
    const bad = await run(['batch', 'status', 'a:b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Usage: mealwise batch status');
  });
});

describe('mealwise recs', () => {
  it('recs show prints a hit, and exits 1 on a miss or a corrupt record', async () => {
    await cache.put(base + 1, record);
    const hit = await run(['recs', 'show', String(base + 1), '--json']);
    expect(hit.code).toBe(0);
    expect(JSON.parse(hit.stdout)).toEqual({ tgid: base + 1, status: 'hit', record });
    const human = await run(['recs', 'show', String(base + 1)]);
    expect(human.stdout).toContain('  • Попробуйте «Греческий салат».');

    const miss = await run(['recs', 'show', String(base + 2), '--json']);
    expect(miss.code).toBe(1);
    expect(JSON.parse(miss.stdout)).toEqual({ tgid: base + 2, status: 'miss' });

    await redis.set(cache.key(base + 3), 'not json');
    const corrupt = await run(['recs', 'show', String(base + 3), '--json']);
    expect(JSON.parse(corrupt.stdout)).toMatchObject({ status: 'corrupt' });
  });

  it('rejects a non-numeric tgid with usage and exit 2', async () => {
    const r = await run(['recs', 'show', '12abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('tgid must be an integer');
  });

  it('recs generate deduplicates and --wait prints the record the worker wrote', async () => {
    const tgid = base + 4;
    const first = JSON.parse((await run(['recs', 'generate', String(tgid), '--json'])).stdout);
    const second = JSON.parse((await run(['recs', 'generate', String(tgid), '--json'])).stdout);
    expect(first.joined_pending).toBe(false);
    expect(second).toEqual({ tgid, job_id: first.job_id, joined_pending: true });

    // A stand-in worker: completes on-demand jobs by writing a record.
    const workerRedis = createRedis(TEST_REDIS_URL, { role: 'queue' });
    const worker = new Worker(
      'recs-user',
      async (job) => {
        await cache.put(job.data.tgid, { ...record, run_id: undefined });
      },
      { connection: workerRedis, prefix: bullPrefix },
    );
    try {
      const r = await run(['recs', 'generate', String(tgid + 1), '--wait', '--json', '--timeout', '20']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ tgid: tgid + 1, status: 'hit' });
    } finally {
      await worker.close();
      await closeRedis(workerRedis);
    }
  });
});
