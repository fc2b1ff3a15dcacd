import { describe, expect, it } from '@jest/globals';
import { parseWorkerConfig } from './config.ts';

const keys = { GEMINI_API_KEYS: 'p1:test-key-a,p2:test-key-b' };

describe('worker configuration', () => {
  it('has the defaults DESIGN §3 and the issue name', () => {
    expect(parseWorkerConfig(keys)).toMatchObject({
      WORKER_CONCURRENCY: 8,
      WORKER_METRICS_PORT: 9464,
      WORKER_SHUTDOWN_TIMEOUT_MS: 25_000,
      WORKER_DRAIN_MS: 10_000,
      WORKER_JOB_TIMEOUT_MS: 90_000,
      WORKER_MAX_STALLED_COUNT: 5,
      WORKER_RETRY_DELAY_MS: 30_000,
      RECS_CRON: '0 3 * * *',
      RECS_TZ: 'UTC',
      RECS_REDIS_NAMESPACE: '',
      RECS_SCHEDULER_ENABLED: true,
    });
  });

  it('refuses a drain that could never abort before the shutdown bound, naming the variable', () => {
    expect(() =>
      parseWorkerConfig({ ...keys, WORKER_SHUTDOWN_TIMEOUT_MS: '5000', WORKER_DRAIN_MS: '4000' }),
    ).toThrow(/WORKER_DRAIN_MS must be at most WORKER_SHUTDOWN_TIMEOUT_MS - 2000 \(3000\)/);
    expect(
      parseWorkerConfig({ ...keys, WORKER_SHUTDOWN_TIMEOUT_MS: '5000', WORKER_DRAIN_MS: '3000' }),
    ).toMatchObject({
      WORKER_DRAIN_MS: 3000,
    });
  });

  it('takes a Redis namespace for cache and run summaries, and refuses a bad one', () => {
    expect(parseWorkerConfig({ ...keys, RECS_REDIS_NAMESPACE: 'staging:' }).RECS_REDIS_NAMESPACE).toBe(
      'staging:',
    );
    expect(() => parseWorkerConfig({ ...keys, RECS_REDIS_NAMESPACE: 'a b' })).toThrow(/RECS_REDIS_NAMESPACE/);
  });
});
