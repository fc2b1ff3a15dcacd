import { afterAll, describe, expect, it } from '@jest/globals';
import { closeRedis, createRedis } from '@mealwise/redis';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { RecommendationCache } from '../src/cache.ts';
import type { RecommendationRecord } from '../src/schema.ts';
import { sampleRecord } from '../src/testing.ts';

const redis = createRedis(TEST_REDIS_URL, { role: 'command' });
const prefix = `${uniquePrefix('recs')}:recommendations:user:`;
const cache = new RecommendationCache({ redis, ttlSeconds: 600, keyPrefix: prefix });

// The hash and run id are set so the round trip covers the optional fields too.
const record = sampleRecord({ stats_hash: 'abcdef0123456789', run_id: '2026-11-29' });

afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await closeRedis(redis);
});

describe('RecommendationCache', () => {
  it('stores with the TTL and serves the raw JSON as stored', async () => {
    const raw = await cache.put(1, record);
    expect(await cache.getRaw(1)).toBe(raw);
    expect(JSON.parse(raw)).toEqual(record);
    const ttl = await redis.ttl(`${prefix}1`);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    expect(await cache.get(1)).toEqual({ status: 'hit', raw, record });
  });

  it('reports a miss and a corrupt value apart', async () => {
    expect(await cache.get(2)).toEqual({ status: 'miss' });
    await redis.set(`${prefix}3`, '{"summary": "x"');
    expect(await cache.get(3)).toMatchObject({ status: 'corrupt', error: 'not JSON' });
    await redis.set(`${prefix}4`, JSON.stringify({ ...record, tips: 'nope' }));
    expect(await cache.get(4)).toMatchObject({ status: 'corrupt' });
  });

  it('refuses to store an invalid record', async () => {
    await expect(cache.put(5, { ...record, summary: '' })).rejects.toThrow();
    expect(await cache.getRaw(5)).toBeNull();
  });

  it('marks the previous record stale and keeps it for another TTL', async () => {
    await cache.put(6, record);
    await redis.expire(`${prefix}6`, 5);
    const stale = await cache.markStale(6);
    expect(stale).toEqual({ ...record, stale: true });
    expect((await cache.get(6)) as { record: RecommendationRecord }).toMatchObject({
      record: { stale: true },
    });
    expect(await redis.ttl(`${prefix}6`)).toBeGreaterThan(590);
    expect(await cache.markStale(7)).toBeNull();
  });

  it('getMany returns valid records only; touchMany extends them', async () => {
    await cache.put(20, record);
    await cache.put(21, { ...record, source: 'rules', model: null });
    await redis.set(`${prefix}22`, 'garbage');
    const many = await cache.getMany([20, 21, 22, 23]);
    expect([...many.keys()].sort()).toEqual([20, 21]);
    expect(many.get(21)?.source).toBe('rules');
    expect(await cache.getMany([])).toEqual(new Map());
    await redis.expire(`${prefix}20`, 5);
    await cache.touchMany([20, 23]);
    expect(await redis.ttl(`${prefix}20`)).toBeGreaterThan(590);
    expect(await redis.exists(`${prefix}23`)).toBe(0);
  });

  it('touch extends the life of an existing record only', async () => {
    await cache.put(8, record);
    await redis.expire(`${prefix}8`, 5);
    expect(await cache.touch(8)).toBe(true);
    expect(await redis.ttl(`${prefix}8`)).toBeGreaterThan(590);
    expect(await cache.touch(9)).toBe(false);
  });
});
