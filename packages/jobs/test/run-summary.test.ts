import { afterAll, describe, expect, it } from '@jest/globals';
import { closeRedis, createRedis } from '@mealwise/redis';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { RunSummaryStore } from '../src/run-summary.ts';

const redis = createRedis(TEST_REDIS_URL, { role: 'command' });
const prefix = `${uniquePrefix('runs')}:`;
const store = new RunSummaryStore({ redis, prefix });

afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await closeRedis(redis);
});

describe('RunSummaryStore', () => {
  it('counts each user once and finishes with the last outcome after the fan-out', async () => {
    await store.begin('r1', { total: 3, trigger: 'schedule', now: new Date('2026-11-29T03:00:00Z') });
    expect(await store.countEnqueued('r1', [1, 2, 3])).toBe(3);
    expect(await store.countEnqueued('r1', [2, 3])).toBe(0);
    expect(await store.recordOutcome('r1', 1, 'succeeded')).toBe('counted');
    expect(await store.recordOutcome('r1', 1, 'succeeded')).toBe('duplicate');
    expect(await store.finishFanout('r1')).toBe(false);
    expect(await store.recordOutcome('r1', 2, 'skipped')).toBe('counted');
    expect(await store.recordOutcome('r1', 3, 'failed', 'rules', new Date('2026-11-29T03:10:00Z'))).toBe(
      'finished',
    );
    expect(await store.get('r1')).toEqual({
      run_id: 'r1',
      trigger: 'schedule',
      total: 3,
      enqueued: 3,
      succeeded: 1,
      skipped: 1,
      failed: 1,
      fallback: 1,
      fallback_stale: 0,
      fallback_rules: 1,
      started_at: '2026-11-29T03:00:00.000Z',
      fanout_finished_at: expect.any(String),
      finished_at: '2026-11-29T03:10:00.000Z',
    });
  });

  it('does not finish before the fan-out is complete, even when every enqueued job is done', async () => {
    await store.begin('r2', { total: 10, trigger: 'manual' });
    await store.countEnqueued('r2', [1]);
    expect(await store.recordOutcome('r2', 1, 'succeeded')).toBe('counted');
    expect((await store.get('r2'))?.finished_at).toBeNull();
    expect(await store.finishFanout('r2')).toBe(true);
    expect((await store.get('r2'))?.finished_at).not.toBeNull();
  });

  it('finishes an empty run at the end of the fan-out', async () => {
    await store.begin('r3', { total: 0, trigger: 'manual' });
    expect(await store.finishFanout('r3')).toBe(true);
  });

  it('keeps started_at when a crashed batch begins again', async () => {
    await store.begin('r4', { total: 5, trigger: 'schedule', now: new Date('2026-11-29T03:00:00Z') });
    await store.begin('r4', { total: 6, trigger: 'schedule', now: new Date('2026-11-29T03:05:00Z') });
    const s = await store.get('r4');
    expect(s?.started_at).toBe('2026-11-29T03:00:00.000Z');
    expect(s?.total).toBe(6);
  });

  it('stays exact under concurrent outcomes and reports exactly one finisher', async () => {
    const n = 300;
    await store.begin('r5', { total: n, trigger: 'schedule' });
    expect(
      await store.countEnqueued(
        'r5',
        Array.from({ length: n }, (_, i) => i + 1),
      ),
    ).toBe(n);
    await store.finishFanout('r5');
    // Every user reported twice, concurrently, as a stalled-and-retried job would.
    const results = await Promise.all(
      Array.from({ length: 2 * n }, (_, i) =>
        store.recordOutcome('r5', (i % n) + 1, i % 3 === 0 ? 'skipped' : 'succeeded'),
      ),
    );
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(n);
    expect(results.filter((r) => r === 'finished')).toHaveLength(1);
    const s = await store.get('r5');
    expect((s?.succeeded ?? 0) + (s?.skipped ?? 0)).toBe(n);
    expect(await store.latestRunId()).toBe('r5');
  });

  it('the index of runs forgets runs older than the summaries’ lifetime', async () => {
    const p = `${uniquePrefix('runs')}:`;
    const short = new RunSummaryStore({ redis, prefix: p, ttlSeconds: 3600 });
    await short.begin('old', { total: 1, trigger: 'schedule', now: new Date('2026-11-28T01:00:00Z') });
    await short.begin('recent', { total: 1, trigger: 'schedule', now: new Date('2026-11-28T02:30:00Z') });
    await short.begin('new', { total: 1, trigger: 'manual', now: new Date('2026-11-28T03:00:00Z') });
    expect(await redis.zrange(`${p}runs`, 0, -1)).toEqual(['recent', 'new']);
    await deleteByPrefix(redis, p);
  });

  it('returns null for an unknown run', async () => {
    expect(await store.get('nope')).toBeNull();
  });
});
