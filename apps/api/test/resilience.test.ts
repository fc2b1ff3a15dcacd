import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb } from '@mealwise/db';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { sampleRecord } from '@mealwise/recs/testing';
import { StatsService } from '@mealwise/stats';
import { freePort, type OwnRedis, startOwnRedis } from '@mealwise/testing';
import { sql } from 'kysely';
import request from 'supertest';
import { seedUser } from './support/fixtures.ts';
import { admin, type Harness, leakedSecrets, service, startHarness } from './support/harness.ts';

// A generous bound: the point is "answers instead of hanging", not speed (benchmarks measure that).
const ANSWERS_WITHIN_MS = 5_000;

let t: MigratedTestDatabase;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  t = await createMigratedTestDatabase();
  await seedUser(t.db, 500, { orders: 6 });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await t.dispose();
});

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe('Redis goes away', () => {
  let redis: OwnRedis;
  let h: Harness;

  beforeAll(async () => {
    redis = await startOwnRedis();
    h = await startHarness({ db: t.db, redisUrl: redis.url });
    closers.push(
      () => h.close(),
      () => redis.stop(),
    );
  });

  it('is ready while Redis and PostgreSQL answer', async () => {
    await h.cache.put(501, sampleRecord());
    const ready = await request(h.app.listener).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      checks: { redis: { ok: true }, postgres: { ok: true } },
    });
    await request(h.app.listener).get('/v1/users/501/recommendations').set(service).expect(200);
  });

  it('answers 503 quickly everywhere Redis is needed once it is stopped', async () => {
    await redis.stop();

    const ready = await timed(() => request(h.app.listener).get('/readyz'));
    expect(ready.ms).toBeLessThan(ANSWERS_WITHIN_MS);
    expect(ready.value.status).toBe(503);
    expect(ready.value.body.error).toEqual({ code: 'NOT_READY', message: 'not ready: redis' });
    expect(ready.value.body.checks.redis.ok).toBe(false);
    expect(ready.value.body.checks.postgres.ok).toBe(true);

    const hit = await timed(() => request(h.app.listener).get('/v1/users/501/recommendations').set(service));
    expect(hit.ms).toBeLessThan(ANSWERS_WITHIN_MS);
    expect(hit.value.status).toBe(503);
    expect(hit.value.body).toEqual({ error: { code: 'REDIS_UNAVAILABLE', message: 'redis is unavailable' } });
    expect(hit.value.headers['retry-after']).toBe('5');

    for (const [method, path, headers] of [
      ['post', '/v1/users/501/recommendations/refresh', service],
      ['post', '/v1/admin/batches', admin],
      ['get', '/v1/admin/batches/2026-11-29', admin],
    ] as const) {
      const res = await timed(() => request(h.app.listener)[method](path).set(headers));
      expect(res.ms).toBeLessThan(ANSWERS_WITHIN_MS);
      expect(res.value.status).toBe(503);
      expect(res.value.body.error.code).toBe('REDIS_UNAVAILABLE');
    }

    // Metrics still answer, saying what they could not read.
    const metrics = await request(h.app.listener).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('mealwise_queue_metrics_up 0');
    expect(leakedSecrets(h.logs)).toEqual([]);
  });
});

describe('PostgreSQL goes away', () => {
  let h: Harness;

  beforeAll(async () => {
    // Nothing listens on this port: connections are refused at once.
    const dead = createDb({
      connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
      connectionTimeoutMs: 500,
    });
    h = await startHarness({
      db: dead,
      stats: new StatsService(dead),
    });
    closers.push(
      () => h.close(),
      () => dead.destroy(),
    );
  });

  it('is not ready, naming postgres', async () => {
    const ready = await timed(() => request(h.app.listener).get('/readyz'));
    expect(ready.ms).toBeLessThan(ANSWERS_WITHIN_MS);
    expect(ready.value.status).toBe(503);
    expect(ready.value.body.error.message).toBe('not ready: postgres');
    expect(ready.value.body.checks.redis.ok).toBe(true);
  });

  it('answers 503 on a miss but still serves hits from Redis', async () => {
    const miss = await request(h.app.listener).get('/v1/users/500/recommendations').set(service);
    expect(miss.status).toBe(503);
    expect(miss.body.error.code).toBe('POSTGRES_UNAVAILABLE');
    await h.cache.put(500, sampleRecord());
    await request(h.app.listener).get('/v1/users/500/recommendations').set(service).expect(200);
  });
});

describe('PostgreSQL too slow', () => {
  it('a miss whose statistics outlast the statement timeout answers 503', async () => {
    const slowDb = createDb({ connectionString: t.url, statementTimeoutMs: 300, connectionTimeoutMs: 1_000 });
    const h = await startHarness({ db: slowDb, stats: new StatsService(slowDb) });
    try {
      // Hold a lock the statistics queries need, so they wait until statement_timeout cancels them.
      await t.db.transaction().execute(async (trx) => {
        await sql`lock table orders in access exclusive mode`.execute(trx);
        const res = await timed(() =>
          request(h.app.listener).get('/v1/users/500/recommendations').set(service),
        );
        expect(res.ms).toBeLessThan(ANSWERS_WITHIN_MS);
        expect(res.value.status).toBe(503);
        expect(res.value.body.error.code).toBe('POSTGRES_UNAVAILABLE');
      });
      const line = h.logs.map((l) => JSON.parse(l)).find((l) => l.code === 'POSTGRES_UNAVAILABLE');
      expect(line?.cause).toMatch(/statement timeout/);
    } finally {
      await h.close();
      await slowDb.destroy();
    }
  });
});
