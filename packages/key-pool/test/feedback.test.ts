import { afterAll, describe, expect, it } from '@jest/globals';
import { captureLogger } from '@mealwise/logging/testing';
import { dumpValues } from '@mealwise/testing';
import { AllKeysExhaustedError, NoCapacityError } from '../src/errors.ts';
import type { KeyPool } from '../src/pool.ts';
import { fakeKeys, MODEL, PoolHarness, refusal, TestClock } from './helpers.ts';

const h = new PoolHarness();
afterAll(() => h.close());

const T0 = Date.parse('2026-05-01T12:00:00Z');
const MIDNIGHT = Date.parse('2026-05-02T07:00:00Z');

function onePool(options: { projects?: number; keysPerProject?: number; rpm?: number; rpd?: number } = {}) {
  const clock = new TestClock(T0);
  const keys = fakeKeys(options.projects ?? 1, options.keysPerProject ?? 1);
  const pool = h.pool({
    keys,
    limits: { requestsPerMinute: options.rpm ?? 10, requestsPerDay: options.rpd ?? 100 },
    now: clock.now,
  });
  return { clock, keys, pool };
}

describe('report: 429 per minute or without details', () => {
  it('cools the project down until the end of its current 60 s window when retryDelay is shorter', async () => {
    const { clock, pool } = onePool();
    const lease = await pool.acquire(MODEL);
    clock.advance(2000);
    const r = await pool.record(lease, { kind: 'rate_limited', scope: 'minute', retryDelayMs: 26_500 });
    expect(r).toEqual({ recorded: 'cooldown', until: T0 + 60_000, change: 'started' });
    const err = await refusal(pool.acquire(MODEL));
    expect(err).toMatchObject({ reason: 'rate_limited', retryAt: T0 + 60_000 });
    clock.set(T0 + 60_000);
    await pool.acquire(MODEL);
  });

  it('uses retryDelay when it ends later than the window', async () => {
    const { clock, pool } = onePool();
    const lease = await pool.acquire(MODEL);
    clock.advance(1000);
    const r = await pool.record(lease, { kind: 'rate_limited', scope: 'unknown', retryDelayMs: 90_000 });
    expect(r).toMatchObject({ until: T0 + 91_000 });
  });

  it('adds jitter within the configured bounds', async () => {
    for (const [random, extra] of [
      [0, 100],
      [0.9999, 200],
    ] as const) {
      const clock = new TestClock(T0);
      const pool = h.pool({
        keys: fakeKeys(1),
        now: clock.now,
        cooldownJitterMs: { min: 100, max: 200 },
        random: () => random,
      });
      const lease = await pool.acquire(MODEL);
      expect(await pool.record(lease, { kind: 'rate_limited', scope: 'minute' })).toMatchObject({
        until: T0 + 60_000 + extra,
      });
    }
  });

  it('only ever extends a cooldown, never shortens it', async () => {
    const { clock, pool } = onePool();
    const lease = await pool.acquire(MODEL);
    const long = await pool.record(lease, { kind: 'rate_limited', scope: 'minute', retryDelayMs: 120_000 });
    expect(long).toEqual({ recorded: 'cooldown', until: T0 + 120_000, change: 'started' });
    clock.advance(5000);
    const shorter = await pool.record(lease, { kind: 'rate_limited', scope: 'minute', retryDelayMs: 1000 });
    expect(shorter).toEqual({ recorded: 'cooldown', until: T0 + 120_000, change: 'kept' });
    expect((await refusal(pool.acquire(MODEL))).retryAt).toBe(T0 + 120_000);
    const longer = await pool.record(lease, { kind: 'rate_limited', scope: 'tokens', retryDelayMs: 200_000 });
    expect(longer).toEqual({ recorded: 'cooldown', until: T0 + 205_000, change: 'extended' });
    expect((await refusal(pool.acquire(MODEL))).retryAt).toBe(T0 + 205_000);
    expect(Number(await h.redis.get(`${pool.prefix}cooldown:p1:${MODEL}`))).toBe(T0 + 205_000);
  });

  it('holds the (project, model), not the key: the other project still serves, the other model too', async () => {
    const { pool } = onePool({ projects: 2, keysPerProject: 2 });
    const lease = await pool.acquire(MODEL);
    await pool.record(lease, { kind: 'rate_limited', scope: 'minute' });
    for (let i = 0; i < 3; i++) expect((await pool.acquire(MODEL)).project).not.toBe(lease.project);
    await expect(pool.acquire('gemini-2.5-flash')).resolves.toBeDefined();
  });

  it('logs the transition once and records it, then the end of the cooldown', async () => {
    const { logger, lines } = captureLogger();
    const clock = new TestClock(T0);
    const keys = fakeKeys(1, 2);
    const pool = h.pool({ keys, now: clock.now, logger });
    const lease = await pool.acquire(MODEL);
    await pool.record(lease, { kind: 'rate_limited', scope: 'minute' });
    await pool.record(lease, { kind: 'rate_limited', scope: 'minute' });
    await refusal(pool.acquire(MODEL));
    clock.set(T0 + 60_000);
    await pool.acquire(MODEL);
    await pool.acquire(MODEL);
    const events = await pool.rotationLog();
    expect(events.map((e) => [e.event, e.reason])).toEqual([
      ['available', 'cooldown_over'],
      ['cooling', 'minute'],
    ]);
    expect(events[1]).toMatchObject({
      project: 'p1',
      model: MODEL,
      fingerprint: lease.fingerprint,
      until: T0 + 60_000,
      at: T0,
    });
    expect(events[1]!.fingerprints!.sort()).toEqual(keys.map((k) => k.fingerprint).sort());
    expect(lines.filter((l) => l.event === 'cooling')).toHaveLength(1);
    expect(lines.filter((l) => l.event === 'available')).toHaveLength(1);
    expect(lines.find((l) => l.event === 'cooling')).toMatchObject({
      level: 'warn',
      module: 'key-pool',
      fingerprint: lease.fingerprint,
    });
  });
});

describe('report: quota gone for the day', () => {
  it('per-day 429: the project is out until the next Pacific midnight, others go on', async () => {
    const { clock, pool } = onePool({ projects: 2, rpm: 1 });
    const a = await pool.acquire(MODEL);
    expect(a.project).toBe('p1');
    expect(await pool.record(a, { kind: 'rate_limited', scope: 'day', retryDelayMs: 0 })).toEqual({
      recorded: 'exhausted',
      until: MIDNIGHT,
      change: 'started',
    });
    expect((await pool.acquire(MODEL)).project).toBe('p2');
    // p2's window is full (rpm 1), p1 is out for the day: rate-limited, back when p2's slot frees.
    clock.advance(1000);
    const err = await refusal(pool.acquire(MODEL));
    expect(err).toMatchObject({ reason: 'rate_limited', retryAt: T0 + 60_000 });
    clock.set(T0 + 60_000);
    expect((await pool.acquire(MODEL)).project).toBe('p2');
    const b = await pool.acquire(MODEL).catch((e) => e);
    expect(b).toBeInstanceOf(NoCapacityError);
  });

  it('when every project is out for the day, throws AllKeysExhaustedError with the next midnight', async () => {
    const { pool } = onePool({ projects: 2 });
    const a = await pool.acquire(MODEL);
    const b = await pool.acquire(MODEL);
    await pool.record(a, { kind: 'rate_limited', scope: 'day' });
    expect(await pool.record(a, { kind: 'rate_limited', scope: 'day' })).toMatchObject({ change: 'kept' });
    await pool.record(b, { kind: 'rate_limited', scope: 'minute', zeroQuota: true });
    const err = await refusal(pool.acquire(MODEL));
    expect(err).toBeInstanceOf(AllKeysExhaustedError);
    expect(err.retryAt).toBe(MIDNIGHT);
    const status = await pool.status();
    expect(status.keys.map((k) => k.models[0]!.blockedBy)).toEqual([['daily_quota'], ['zero_quota']]);
    expect(status.capacityLeftToday).toEqual({ [MODEL]: 0 });
  });

  it('zero quota holds only that model on that project', async () => {
    const { pool } = onePool();
    const a = await pool.acquire(MODEL);
    await pool.record(a, { kind: 'rate_limited', scope: 'minute', zeroQuota: true });
    await expect(pool.acquire(MODEL)).rejects.toBeInstanceOf(AllKeysExhaustedError);
    await expect(pool.acquire('gemini-2.5-flash')).resolves.toBeDefined();
    const [event] = await pool.rotationLog(1);
    expect(event).toMatchObject({ event: 'exhausted', reason: 'zero_quota', until: MIDNIGHT, model: MODEL });
  });

  it('comes back at midnight with an "available" event', async () => {
    const { clock, pool } = onePool();
    const a = await pool.acquire(MODEL);
    await pool.record(a, { kind: 'rate_limited', scope: 'day' });
    clock.set(MIDNIGHT);
    await pool.acquire(MODEL);
    const [event] = await pool.rotationLog(1);
    expect(event).toMatchObject({
      event: 'available',
      reason: 'quota_day_reset',
      was: 'daily_quota',
      at: MIDNIGHT,
    });
  });
});

describe('report: invalid keys', () => {
  it('marks the key invalid (reason, time, no TTL) and skips it; the project serves with its other key', async () => {
    const { clock, keys, pool } = onePool({ keysPerProject: 2 });
    const lease = await pool.acquire(MODEL);
    clock.advance(500);
    expect(await pool.record(lease, { kind: 'invalid_key', reason: 'API_KEY_INVALID' })).toEqual({
      recorded: 'invalid',
      since: T0 + 500,
      change: 'started',
    });
    const key = `${pool.prefix}invalid:${lease.fingerprint}`;
    expect(await h.redis.hgetall(key)).toEqual({ reason: 'API_KEY_INVALID', since: String(T0 + 500) });
    expect(await h.redis.pttl(key)).toBe(-1);
    const other = keys.find((k) => k.fingerprint !== lease.fingerprint)!;
    for (let i = 0; i < 3; i++) expect((await pool.acquire(MODEL)).fingerprint).toBe(other.fingerprint);
    const status = await pool.status();
    const bad = status.keys.find((k) => k.fingerprint === lease.fingerprint)!;
    expect(bad).toMatchObject({ state: 'invalid', invalid: { reason: 'API_KEY_INVALID', since: T0 + 500 } });
  });

  it('all keys invalid: all_invalid with retryAt null; resetInvalid brings them back', async () => {
    const { pool, keys } = onePool({ projects: 2 });
    const reasons = ['CONSUMER_SUSPENDED', 'LEAKED'];
    for (const reason of reasons) {
      const lease = await pool.acquire(MODEL);
      await pool.record(lease, { kind: 'invalid_key', reason });
    }
    const err = await refusal(pool.acquire(MODEL));
    expect(err).toMatchObject({ reason: 'all_invalid', retryAt: null, retryAfterMs: null });
    expect(err.message).toContain('invalid');
    expect(await pool.resetInvalid(keys[0]!.fingerprint)).toEqual([keys[0]!.fingerprint]);
    expect((await pool.acquire(MODEL)).fingerprint).toBe(keys[0]!.fingerprint);
    expect(await pool.resetInvalid()).toEqual([keys[1]!.fingerprint]);
    expect(await pool.resetInvalid()).toEqual([]);
    const log = await pool.rotationLog();
    expect(log.filter((e) => e.event === 'available').map((e) => e.reason)).toEqual([
      'operator_reset',
      'operator_reset',
    ]);
    expect(log.filter((e) => e.event === 'invalid').map((e) => e.reason)).toEqual([
      'LEAKED',
      'CONSUMER_SUSPENDED',
    ]);
    await expect(pool.resetInvalid('0123456789ab')).rejects.toThrow('no configured key has fingerprint');
  });
});

describe('report: neutral outcomes and success', () => {
  it('5xx, timeouts and cancellations hold nothing against the key', async () => {
    const { pool } = onePool();
    const lease = await pool.acquire(MODEL);
    const before = (await dumpValues(h.redis, pool.prefix)).sort();
    for (const reason of ['HTTP_503', 'timeout', 'network', 'cancelled']) {
      expect(await pool.record(lease, { kind: 'neutral', reason })).toEqual({ recorded: 'nothing' });
    }
    expect(await pool.record(lease, { kind: 'success' })).toEqual({ recorded: 'nothing' });
    expect((await dumpValues(h.redis, pool.prefix)).sort()).toEqual(before);
    expect((await pool.status()).keys[0]!.state).toBe('available');
  });
});

describe('secrets', () => {
  async function exercise(pool: KeyPool, clock: TestClock) {
    const a = await pool.acquire(MODEL, { estimatedTokens: 10 });
    await pool.record(a, { kind: 'success', usage: { promptTokens: 5, totalTokens: 9 } });
    const b = await pool.acquire(MODEL);
    await pool.record(b, { kind: 'rate_limited', scope: 'minute', retryDelayMs: 1000 });
    const c = await pool.acquire(MODEL);
    await pool.record(c, { kind: 'rate_limited', scope: 'day' });
    const d = await pool.acquire(MODEL).catch(() => undefined);
    if (d) await pool.record(d, { kind: 'invalid_key', reason: 'API_KEY_INVALID' });
    clock.advance(120_000);
    await pool.acquire(MODEL).catch(() => undefined);
    await pool.status();
    await pool.resetInvalid();
    await pool.acquire('bad model').catch(() => undefined);
  }

  it('no raw key in any Redis value or key name, nor in any log line', async () => {
    const { logger, raw } = captureLogger();
    const clock = new TestClock(T0);
    const keys = fakeKeys(3, 2);
    const pool = h.pool({
      keys,
      now: clock.now,
      logger,
      limits: { requestsPerMinute: 2, requestsPerDay: 5, tokensPerMinute: 1000 },
    });
    await exercise(pool, clock);
    const values = await dumpValues(h.redis, pool.prefix);
    expect(values.length).toBeGreaterThan(10);
    expect(raw.length).toBeGreaterThan(3);
    const everything = [...values, ...raw].join('\n');
    for (const k of keys) expect(everything).not.toContain(k.key);
    // ...while the fingerprints are there to identify the keys.
    expect(raw.some((l) => keys.some((k) => l.includes(k.fingerprint)))).toBe(true);
  });
});
