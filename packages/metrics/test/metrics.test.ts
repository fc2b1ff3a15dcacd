import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { fingerprint, KeyPool } from '@mealwise/key-pool';
import { createLogger } from '@mealwise/logging';
import { createRedis } from '@mealwise/redis';
import { deleteByPrefix, freePort, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { KeyPoolGauges, QueueMetrics } from '../src/index.ts';

// Real Redis, a real KeyPool and real BullMQ queues: the gauges are only as good as what they read.
const MODEL = 'gemini-2.5-flash-lite';
const logger = createLogger({ service: 'metrics-test', level: 'error' });
const redis = createRedis(TEST_REDIS_URL, { role: 'command', name: 'metrics-test' });
const prefixes: string[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers) await close();
  for (const p of prefixes) await deleteByPrefix(redis, p);
  await redis.quit();
});

function newPool(keys: { key: string; project: string }[], client = redis): KeyPool {
  const prefix = `${uniquePrefix('metrics')}:`;
  prefixes.push(prefix);
  return new KeyPool({
    redis: client,
    keys: keys.map((k) => ({ ...k, fingerprint: fingerprint(k.key) })),
    limits: { requestsPerMinute: 10, requestsPerDay: 100 },
    models: [MODEL],
    prefix,
    logger,
  });
}

/** The value of one sample line, matched by name and a label subset. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('KeyPoolGauges', () => {
  it('shows usage and state per key and model, by fingerprint only', async () => {
    const keys = [
      { key: `secret-a-${randomUUID()}`, project: 'projA' },
      { key: `secret-b-${randomUUID()}`, project: 'projB' },
    ];
    const pool = newPool(keys);
    const lease = await pool.acquire(MODEL);
    await pool.report(lease, { kind: 'success' });
    const other = keys.find((k) => fingerprint(k.key) !== lease.fingerprint);
    if (!other) throw new Error('two keys expected');
    const bad = await pool.acquire(MODEL);
    await pool.report(bad, { kind: 'invalid_key', reason: 'API_KEY_INVALID' });

    const registry = new Registry();
    const gauges = new KeyPoolGauges(registry, pool, 0);
    await gauges.refresh(logger);
    const text = await registry.metrics();

    for (const k of keys) expect(text).not.toContain(k.key);
    expect(sample(text, 'mealwise_key_pool_up')).toBe(1);
    expect(sample(text, 'mealwise_key_pool_limit_requests_per_minute')).toBe(10);
    expect(sample(text, 'mealwise_key_pool_limit_requests_per_day')).toBe(100);
    const used = (fp: string) =>
      sample(text, 'mealwise_key_pool_requests_today', { fingerprint: fp, model: MODEL });
    expect((used(lease.fingerprint) ?? 0) + (used(bad.fingerprint) ?? 0)).toBe(2);
    expect(
      sample(text, 'mealwise_key_pool_key_state', {
        fingerprint: bad.fingerprint,
        model: MODEL,
        state: 'invalid',
      }),
    ).toBe(1);
    expect(
      sample(text, 'mealwise_key_pool_key_state', {
        fingerprint: bad.fingerprint,
        model: MODEL,
        state: 'available',
      }),
    ).toBe(0);
    expect(sample(text, 'mealwise_key_pool_seconds_to_reset')).toBeGreaterThan(0);
  });

  it('reads Redis at most once per cache period, however often it is scraped', async () => {
    const key = { key: `secret-c-${randomUUID()}`, project: 'projC' };
    const pool = newPool([key]);
    let reads = 0;
    const counting = { status: () => (reads++, pool.status()) };
    const registry = new Registry();
    const gauges = new KeyPoolGauges(registry, counting, 60_000);
    await Promise.all([gauges.refresh(logger), gauges.refresh(logger), gauges.refresh(logger)]);
    await pool.report(await pool.acquire(MODEL), { kind: 'success' });
    await gauges.refresh(logger);
    expect(reads).toBe(1);
    // The cached values are what was read: the admission after the read is not in them yet.
    expect(sample(await registry.metrics(), 'mealwise_key_pool_requests_today', { model: MODEL })).toBe(0);
  });

  it('reports up 0 (and keeps serving) when Redis does not answer', async () => {
    const dead = createRedis(`redis://127.0.0.1:${await freePort()}`, {
      role: 'http',
      name: 'metrics-dead',
      commandTimeoutMs: 200,
    });
    // Never connects, so nothing to quit: disconnect stops its reconnect timer.
    closers.push(async () => dead.disconnect());
    const pool = newPool([{ key: `secret-d-${randomUUID()}`, project: 'projD' }], dead);
    const registry = new Registry();
    await new KeyPoolGauges(registry, pool, 0).refresh(logger);
    expect(sample(await registry.metrics(), 'mealwise_key_pool_up')).toBe(0);
  });
});

describe('QueueMetrics', () => {
  it("merges BullMQ's counts of several queues into one valid exposition", async () => {
    const prefix = uniquePrefix('mq');
    prefixes.push(prefix);
    // A Queue given a connection does not close it: each gets its own, closed here.
    const [ca, cb] = [
      redis.duplicate({ maxRetriesPerRequest: null }),
      redis.duplicate({ maxRetriesPerRequest: null }),
    ];
    const a = new Queue('recs-batch', { connection: ca, prefix });
    const b = new Queue('recs-user', { connection: cb, prefix });
    closers.push(
      () => a.close(),
      () => b.close(),
      () => ca.quit(),
      () => cb.quit(),
    );
    await b.add('u', {});
    await b.add('u', {});
    await a.add('b', {});

    const registry = new Registry();
    const queues = new QueueMetrics(registry, logger);
    queues.add(a, b);
    const text = await queues.render();
    expect(sample(text, 'bullmq_job_count', { queue: 'recs-user', state: 'waiting' })).toBe(2);
    expect(sample(text, 'bullmq_job_count', { queue: 'recs-batch', state: 'waiting' })).toBe(1);
    // One HELP and one TYPE per family, or Prometheus rejects the whole scrape.
    expect(text.match(/^# TYPE bullmq_job_count /gm)).toHaveLength(1);
    expect(sample(await registry.metrics(), 'mealwise_queue_metrics_up')).toBe(1);
  });

  it('renders nothing and reports up 0 when the counts cannot be read', async () => {
    const registry = new Registry();
    const queues = new QueueMetrics(registry, logger);
    queues.add({ exportPrometheusMetrics: () => Promise.reject(new Error('Connection is closed')) });
    expect(await queues.render()).toBe('');
    expect(sample(await registry.metrics(), 'mealwise_queue_metrics_up')).toBe(0);
  });
});
