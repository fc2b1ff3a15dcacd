import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AllKeysExhaustedError, NoCapacityError } from '../src/errors.ts';
import { quotaDayAt } from '../src/quota-day.ts';
import type { Lease } from '../src/types.ts';
import { fakeKeys, MODEL, PoolHarness, refusal, TestClock } from './helpers.ts';

const h = new PoolHarness();
afterAll(() => h.close());

describe('acquire', () => {
  it('hands out a lease whose raw key is never enumerable', async () => {
    const keys = fakeKeys(1, 2);
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const pool = h.pool({ keys, now: clock.now });
    const lease = await pool.acquire(MODEL);
    expect(lease).toMatchObject({ project: 'p1', model: MODEL, admittedAt: clock.t, reservedTokens: 0 });
    const key = keys.find((k) => k.fingerprint === lease.fingerprint)!;
    expect(lease.key).toBe(key.key);
    expect(Object.keys(lease)).not.toContain('key');
    expect(JSON.stringify(lease)).not.toContain(key.key);
    expect(await h.redis.get(`${pool.prefix}current_key`)).toBe(lease.fingerprint);
  });

  it("sizes the worker limiter to the sum of the projects' per-minute limits", () => {
    const pool = h.pool({
      keys: fakeKeys(3, 2),
      limits: { requestsPerMinute: 7, requestsPerDay: 100 },
      modelLimits: { 'gemini-2.5-flash': { requestsPerMinute: 2 } },
      models: [MODEL],
    });
    expect(pool.projects).toEqual(['p1', 'p2', 'p3']);
    expect(pool.limiter()).toEqual({ max: 21, duration: 60_000 });
    expect(pool.limiter('gemini-2.5-flash')).toEqual({ max: 6, duration: 60_000 });
  });

  it('alternates between the keys of one project (they are one budget)', async () => {
    const keys = fakeKeys(1, 2);
    const pool = h.pool({ keys, now: new TestClock('2026-05-01T12:00:00Z').now });
    const fps = [];
    for (let i = 0; i < 4; i++) fps.push((await pool.acquire(MODEL)).fingerprint);
    expect(new Set(fps).size).toBe(2);
    expect(fps[0]).toBe(fps[2]);
    expect(fps[1]).toBe(fps[3]);
  });

  it('spreads load over projects, least recently used first, up to the sum of their RPM', async () => {
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const pool = h.pool({
      keys: fakeKeys(3),
      limits: { requestsPerMinute: 2, requestsPerDay: 100 },
      now: clock.now,
    });
    const projects = [];
    for (let i = 0; i < 6; i++) {
      projects.push((await pool.acquire(MODEL)).project);
      clock.advance(10);
    }
    expect(projects).toEqual(['p1', 'p2', 'p3', 'p1', 'p2', 'p3']);
    const err = await refusal(pool.acquire(MODEL));
    expect(err.reason).toBe('rate_limited');
    // p1's first admission leaves the window first.
    expect(err.retryAt).toBe(Date.parse('2026-05-01T12:01:00Z'));
    expect(err.retryAfterMs).toBe(err.retryAt! - clock.t);
  });

  it('admits at most RPM in the rolling window and names the exact moment a slot frees', async () => {
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const pool = h.pool({
      keys: fakeKeys(1),
      limits: { requestsPerMinute: 3, requestsPerDay: 100 },
      now: clock.now,
    });
    const first = clock.t;
    for (let i = 0; i < 3; i++) {
      await pool.acquire(MODEL);
      clock.advance(1000);
    }
    const err = await refusal(pool.acquire(MODEL));
    expect(err).not.toBeInstanceOf(AllKeysExhaustedError);
    expect(err).toMatchObject({ reason: 'rate_limited', model: MODEL, retryAt: first + 60_000 });
    expect(err.message).toBe('All Gemini projects are at their per-minute limit for this model.');
    clock.set(first + 59_999);
    expect((await refusal(pool.acquire(MODEL))).retryAt).toBe(first + 60_000);
    clock.set(first + 60_000);
    expect((await pool.acquire(MODEL)).admittedAt).toBe(first + 60_000);
    // The next slot frees when the second admission (first + 1 s) leaves the window.
    expect((await refusal(pool.acquire(MODEL))).retryAt).toBe(first + 61_000);
  });

  it('a burst straddling a minute boundary cannot pass the limit (no fixed-minute reset)', async () => {
    const clock = new TestClock('2026-05-01T12:00:59.500Z');
    const pool = h.pool({
      keys: fakeKeys(1),
      limits: { requestsPerMinute: 5, requestsPerDay: 100 },
      now: clock.now,
    });
    for (let i = 0; i < 5; i++) await pool.acquire(MODEL);
    for (const t of ['2026-05-01T12:01:00.000Z', '2026-05-01T12:01:00.500Z', '2026-05-01T12:01:59.499Z']) {
      clock.set(t);
      const err = await refusal(pool.acquire(MODEL));
      expect(err.retryAt).toBe(Date.parse('2026-05-01T12:01:59.500Z'));
    }
    clock.set('2026-05-01T12:01:59.500Z');
    for (let i = 0; i < 5; i++) await pool.acquire(MODEL);
    await expect(pool.acquire(MODEL)).rejects.toBeInstanceOf(NoCapacityError);
  });

  it('with a window guard, admissions are spaced over 60 s + guard (Google counts on arrival)', async () => {
    const clock = new TestClock('2026-05-01T12:00:00.000Z');
    const guarded = h.pool({
      keys: fakeKeys(1),
      limits: { requestsPerMinute: 3, requestsPerDay: 100 },
      now: clock.now,
      windowGuardMs: 1_000,
    });
    for (let i = 0; i < 3; i++) await guarded.acquire(MODEL);
    clock.advance(60_000);
    // An unguarded pool would admit again now; a request admitted at 12:00:00.000 may have
    // reached Google at 12:00:00.900, so the next may not go before 12:01:01.000.
    const err = await refusal(guarded.acquire(MODEL));
    expect(err.retryAt).toBe(Date.parse('2026-05-01T12:01:01.000Z'));
    expect((await guarded.status()).keys[0]?.models[0]?.usedLastMinute).toBe(3);
    clock.set('2026-05-01T12:01:01.000Z');
    await expect(guarded.acquire(MODEL)).resolves.toMatchObject({ project: 'p1' });
  });

  it('throws AllKeysExhaustedError with the seed message and the next Pacific midnight', async () => {
    const clock = new TestClock('2026-07-04T20:00:00Z');
    const pool = h.pool({
      keys: fakeKeys(2),
      limits: { requestsPerMinute: 10, requestsPerDay: 2 },
      now: clock.now,
    });
    for (let i = 0; i < 4; i++) await pool.acquire(MODEL);
    const err = await refusal(pool.acquire(MODEL));
    expect(err).toBeInstanceOf(AllKeysExhaustedError);
    expect(err.reason).toBe('quota_exhausted');
    expect(err.message).toBe('All API keys are exhausted or invalid. Please wait for daily reset.');
    expect(err.retryAt).toBe(Date.parse('2026-07-05T07:00:00Z'));
  });

  for (const [name, evening, midnight] of [
    ['spring forward (2026-03-08, 23 h)', '2026-03-09T06:30:00Z', '2026-03-09T07:00:00Z'],
    ['fall back (2026-11-01, 25 h)', '2026-11-02T07:30:00Z', '2026-11-02T08:00:00Z'],
    ['an ordinary day', '2026-05-01T06:30:00Z', '2026-05-01T07:00:00Z'],
  ] as const) {
    it(`rolls the quota day over at Pacific midnight: ${name}`, async () => {
      const clock = new TestClock(evening);
      const pool = h.pool({
        keys: fakeKeys(1),
        limits: { requestsPerMinute: 100, requestsPerDay: 3 },
        now: clock.now,
      });
      for (let i = 0; i < 3; i++) await pool.acquire(MODEL);
      const err = await refusal(pool.acquire(MODEL));
      expect(err).toBeInstanceOf(AllKeysExhaustedError);
      expect(err.retryAt).toBe(Date.parse(midnight));
      clock.set(Date.parse(midnight) - 1);
      await expect(pool.acquire(MODEL)).rejects.toBeInstanceOf(AllKeysExhaustedError);
      clock.set(midnight);
      const lease = await pool.acquire(MODEL);
      expect(lease.admittedAt).toBe(Date.parse(midnight));
      const status = await pool.status();
      expect(status.day).toBe(quotaDayAt(Date.parse(midnight)).label);
      expect(status.keys[0]!.models[0]!.usedToday).toBe(1);
      const log = await pool.rotationLog();
      expect(log.map((e) => [e.event, e.reason])).toEqual([
        ['available', 'quota_day_reset'],
        ['exhausted', 'daily_limit'],
      ]);
      expect(log[1]!.until).toBe(Date.parse(midnight));
    });
  }

  it('budgets are per model: one model exhausted leaves another free', async () => {
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const pool = h.pool({
      keys: fakeKeys(1),
      limits: { requestsPerMinute: 10, requestsPerDay: 1 },
      now: clock.now,
    });
    await pool.acquire(MODEL);
    await expect(pool.acquire(MODEL)).rejects.toBeInstanceOf(AllKeysExhaustedError);
    await expect(pool.acquire('gemini-2.5-flash')).resolves.toMatchObject({ model: 'gemini-2.5-flash' });
  });

  it('applies per-model limit overrides', async () => {
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const pool = h.pool({
      keys: fakeKeys(1),
      limits: { requestsPerMinute: 10, requestsPerDay: 100 },
      modelLimits: { 'gemini-2.5-flash': { requestsPerMinute: 1 } },
      now: clock.now,
    });
    await pool.acquire('gemini-2.5-flash');
    await expect(pool.acquire('gemini-2.5-flash')).rejects.toMatchObject({ reason: 'rate_limited' });
    await pool.acquire(MODEL);
    await pool.acquire(MODEL);
  });

  it('reserves estimated tokens, refuses past the token budget and frees what success settles', async () => {
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const pool = h.pool({
      keys: fakeKeys(1),
      limits: { requestsPerMinute: 10, requestsPerDay: 100, tokensPerMinute: 1000 },
      now: clock.now,
    });
    const a = await pool.acquire(MODEL, { estimatedTokens: 600 });
    expect(a.reservedTokens).toBe(600);
    clock.advance(2000);
    const err = await refusal(pool.acquire(MODEL, { estimatedTokens: 600 }));
    expect(err).toMatchObject({ reason: 'rate_limited', retryAt: a.admittedAt + 60_000 });
    expect(await pool.record(a, { kind: 'success', usage: { promptTokens: 150, totalTokens: 300 } })).toEqual(
      {
        recorded: 'settled',
        tokens: 150,
      },
    );
    const b = await pool.acquire(MODEL, { estimatedTokens: 600 });
    expect((await pool.status()).keys[0]!.models[0]!.tokensLastMinute).toBe(750);
    // An estimate above the whole budget is capped to it rather than never admitted.
    clock.advance(60_000);
    expect((await pool.acquire(MODEL, { estimatedTokens: 5000 })).reservedTokens).toBe(1000);
    expect(b.reservedTokens).toBe(600);
  });

  it('counters follow fingerprint and project, not the position in the config', async () => {
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const keys = fakeKeys(2, 2);
    const prefix = h.newPrefix();
    const limits = { requestsPerMinute: 3, requestsPerDay: 100 };
    const before = h.pool({ keys, prefix, limits, now: clock.now });
    for (let i = 0; i < 4; i++) await before.acquire(MODEL);
    const usage = async (pool: typeof before) =>
      Object.fromEntries((await pool.status()).keys.map((k) => [k.fingerprint, k.models[0]!.usedToday]));
    const expected = await usage(before);
    expect(Object.values(expected)).toEqual([2, 2, 2, 2]);
    // Reordered, one key removed, one added to p2: p1 and p2 keep their counts.
    const extra = fakeKeys(2, 1)[1]!;
    const after = h.pool({ keys: [keys[3]!, extra, keys[1]!, keys[2]!], prefix, limits, now: clock.now });
    const got = await usage(after);
    expect(got[keys[3]!.fingerprint]).toBe(2);
    expect(got[extra.fingerprint]).toBe(2);
    expect(got[keys[1]!.fingerprint]).toBe(2);
    // One request left per project in this window, whichever config asks.
    await after.acquire(MODEL);
    await after.acquire(MODEL);
    await expect(before.acquire(MODEL)).rejects.toMatchObject({ reason: 'rate_limited' });
  });

  it('keeps every Redis key under a hash-tagged prefix (one Redis Cluster slot)', async () => {
    const tag = h.newPrefix('{kp').replace(/:$/, '');
    const prefix = `${tag}}:`;
    h.prefixes.push(prefix);
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const pool = h.pool({
      keys: fakeKeys(2),
      prefix,
      limits: { requestsPerMinute: 1, requestsPerDay: 1 },
      now: clock.now,
    });
    const lease = await pool.acquire(MODEL);
    await pool.acquire(MODEL);
    await pool.record(lease, { kind: 'invalid_key', reason: 'API_KEY_INVALID' });
    await pool.record(lease, { kind: 'rate_limited', scope: 'minute' });
    await pool.status();
    const keys = await h.redis.keys(`${tag.replace('{', '\\{')}*`);
    expect(keys.length).toBeGreaterThanOrEqual(8);
    for (const k of keys) expect(k.startsWith(prefix)).toBe(true);
    expect(prefix).toMatch(/^\{[^{}]+\}:$/);
  });
});

describe('admission property', () => {
  const R = 3;
  const D = 7;
  const WINDOW = 60_000;

  it('random admission sequences never exceed RPM in any 60 s window nor RPD per day, refuse only when full, and retryAt is exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ gap: fc.integer({ min: 0, max: 25_000 }), acquires: fc.integer({ min: 1, max: 4 }) }),
          {
            minLength: 1,
            maxLength: 25,
          },
        ),
        // Start near midnight Pacific of the fall-back day so some runs cross it.
        fc.integer({ min: 0, max: 10 * WINDOW }),
        async (steps, offset) => {
          const clock = new TestClock(Date.parse('2026-11-02T07:55:00Z') - offset);
          const pool = h.pool({
            keys: fakeKeys(2),
            limits: { requestsPerMinute: R, requestsPerDay: D },
            now: clock.now,
          });
          const admitted: Record<string, number[]> = { p1: [], p2: [] };
          const eta = (p: string, t: number): number => {
            const day = quotaDayAt(t);
            const times = admitted[p]!;
            let e = t;
            if (times.filter((x) => x >= day.start).length >= D) e = Math.max(e, day.end);
            const inWindow = times.filter((x) => x > t - WINDOW);
            if (inWindow.length >= R) e = Math.max(e, inWindow[inWindow.length - R]! + WINDOW);
            return e;
          };
          for (const step of steps) {
            clock.advance(step.gap);
            for (let i = 0; i < step.acquires; i++) {
              const t = clock.t;
              const free = ['p1', 'p2'].filter((p) => eta(p, t) <= t);
              let lease: Lease | undefined;
              try {
                lease = await pool.acquire(MODEL);
              } catch (err) {
                if (!(err instanceof NoCapacityError)) throw err;
                expect(free).toEqual([]);
                expect(err.retryAt).toBe(Math.min(eta('p1', t), eta('p2', t)));
                const exhausted = ['p1', 'p2'].every(
                  (p) => admitted[p]!.filter((x) => x >= quotaDayAt(t).start).length >= D,
                );
                expect(err.reason).toBe(exhausted ? 'quota_exhausted' : 'rate_limited');
              }
              if (lease) {
                expect(free).toContain(lease.project);
                admitted[lease.project]!.push(lease.admittedAt);
              }
            }
          }
          for (const times of Object.values(admitted)) {
            for (let i = R; i < times.length; i++)
              expect(times[i]! - times[i - R]!).toBeGreaterThanOrEqual(WINDOW);
            const perDay = new Map<string, number>();
            for (const x of times)
              perDay.set(quotaDayAt(x).label, (perDay.get(quotaDayAt(x).label) ?? 0) + 1);
            for (const n of perDay.values()) expect(n).toBeLessThanOrEqual(D);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('concurrent acquire calls in one process', () => {
  it('are coalesced into script runs that still admit exactly the limits, in turn over projects', async () => {
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const pool = h.pool({
      keys: fakeKeys(3, 2),
      limits: { requestsPerMinute: 4, requestsPerDay: 100 },
      now: clock.now,
    });
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => pool.acquire(MODEL)));
    const leases = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as NoCapacityError] : []));
    expect(leases).toHaveLength(12);
    const perProject = (p: string) => leases.filter((l) => l.project === p).length;
    expect([perProject('p1'), perProject('p2'), perProject('p3')]).toEqual([4, 4, 4]);
    expect(leases.slice(0, 3).map((l) => l.project)).toEqual(['p1', 'p2', 'p3']);
    expect(new Set(leases.map((l) => l.id)).size).toBe(12);
    expect(refusals).toHaveLength(18);
    for (const e of refusals) expect(e).toMatchObject({ reason: 'rate_limited', retryAt: clock.t + 60_000 });
    const status = await pool.status();
    expect(status.keys.map((k) => k.models[0]!.usedLastMinute)).toEqual([4, 4, 4, 4, 4, 4]);
  });

  it('without coalescing (maxBatch 1) the outcome is the same', async () => {
    const clock = new TestClock('2026-05-01T12:00:00Z');
    const pool = h.pool({
      keys: fakeKeys(2),
      limits: { requestsPerMinute: 3, requestsPerDay: 100 },
      now: clock.now,
      maxBatch: 1,
      maxInFlight: 4,
    });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => pool.acquire(MODEL)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
  });
});
