import { afterAll, describe, expect, it } from '@jest/globals';
import { closeRedis, createRedis } from '@mealwise/redis';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { RecsProducer } from '../src/producer.ts';

const redis = createRedis(TEST_REDIS_URL, { role: 'queue' });
const prefix = uniquePrefix('bull');
const producer = new RecsProducer({ connection: redis, prefix });

afterAll(async () => {
  await producer.close();
  await deleteByPrefix(redis, `${prefix}:`);
  await closeRedis(redis);
});

describe('RecsProducer', () => {
  it('adds one batch job per run id', async () => {
    const first = await producer.enqueueBatch({ runId: 'manual-test-1' });
    expect(first).toEqual({ runId: 'manual-test-1', jobId: 'batch-manual-test-1', created: true });
    const again = await producer.enqueueBatch({ runId: 'manual-test-1' });
    expect(again.created).toBe(false);
    expect(await producer.batchQueue.count()).toBe(1);
  });

  it('names manual runs by time', async () => {
    const r = await producer.enqueueBatch({ now: new Date('2026-11-29T10:15:00Z') });
    expect(r.runId).toMatch(/^manual-20261129-101500-[0-9a-f]{4}$/);
  });

  it('deduplicates on-demand jobs of one user while one is pending, at the front of the wait list', async () => {
    await producer.userQueue.add('generate', { tgid: 1, runId: 'r', reason: 'batch' }, { jobId: 'recs-r-1' });
    const a = await producer.enqueueOnDemand(42, 'miss');
    const b = await producer.enqueueOnDemand(42, 'refresh');
    const c = await producer.enqueueOnDemand(43, 'refresh');
    expect(a.created).toBe(true);
    expect(b).toEqual({ jobId: a.jobId, created: false });
    expect(c.created).toBe(true);
    const waiting = await producer.userQueue.getWaiting();
    // lifo: the on-demand jobs come before the batch job.
    expect(waiting.map((j) => j.data.tgid)).toEqual([43, 42, 1]);
  });
});
