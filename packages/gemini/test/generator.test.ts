import { afterEach, describe, expect, it } from '@jest/globals';
import { NoCapacityError } from '@mealwise/key-pool';
import { sampleStats } from '@mealwise/recs/testing';
import { GenerationFailedError, TransientError } from '../src/index.ts';
import { makeKeys } from './helpers/fake-key-source.ts';
import { FALLBACK, type Harness, harness, MODEL } from './helpers/setup.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('RecommendationGenerator against the emulator', () => {
  it('returns a validated answer with usage, model, key fingerprint; reports success', async () => {
    h = await harness();
    const rec = await h.generator.generateRecommendation(sampleStats(), { tgid: 42 });
    expect(rec.summary.length).toBeGreaterThan(10);
    expect(rec.tips.length).toBeGreaterThanOrEqual(2);
    expect(rec.tips.length).toBeLessThanOrEqual(3);
    // The emulator writes tips from the prompt's numbers and names: they reached it intact.
    expect(rec.summary).toContain('18 заказов');
    expect(rec.tips.join(' ')).toContain('Борщ с курицей');
    expect(rec.tips.join(' ')).toContain('Греческий салат');
    expect(rec).toMatchObject({ model: MODEL, attempts: 1, keyFingerprint: h.pool.leases[0]!.fingerprint });
    // The emulator counts the prompt as Google would: it stays small.
    expect(rec.usage.promptTokens).toBeGreaterThan(50);
    expect(rec.usage.promptTokens).toBeLessThan(350);
    expect(rec.usage.outputTokens).toBeGreaterThan(10);
    // thinkingBudget 0 was sent: no thinking tokens billed.
    expect(rec.usage.totalTokens).toBe(rec.usage.promptTokens + rec.usage.outputTokens);
    expect(h.pool.reports).toEqual([
      {
        fingerprint: rec.keyFingerprint,
        project: 'p1',
        model: MODEL,
        outcome: {
          kind: 'success',
          usage: { promptTokens: rec.usage.promptTokens, totalTokens: rec.usage.totalTokens },
        },
      },
    ]);
  });

  it('logs the generation with tgid, fingerprint, tokens and generation_time_ms, never the key', async () => {
    h = await harness({ emulator: { faults: { script: ['unavailable'] } } });
    const rec = await h.generator.generateRecommendation(sampleStats(), { tgid: 7, runId: 'manual-x' });
    await new Promise((r) => setImmediate(r));
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = lines.find((l) => l.message === 'recommendation generated');
    // tgid + runId: the per-run generation marker the reliability suite counts duplicates with.
    expect(done).toMatchObject({
      tgid: 7,
      runId: 'manual-x',
      keyFingerprint: rec.keyFingerprint,
      model: MODEL,
      attempts: 2,
      promptTokens: rec.usage.promptTokens,
      totalTokens: rec.usage.totalTokens,
    });
    expect(typeof done?.generation_time_ms).toBe('number');
    expect(lines.find((l) => l.message === 'gemini call failed')).toMatchObject({
      code: 'TRANSIENT',
      tgid: 7,
    });
    for (const k of h.keys) expect(h.logs.join('\n')).not.toContain(k.key);
  });

  it('never takes the key, base URL, API version or backend from the environment', async () => {
    const keys = makeKeys(2);
    h = await harness({ keys: [keys[0]!] });
    h.emulator.configure({ keys: { [keys[1]!.key]: { project: 'p2' } } });
    const saved = { ...process.env };
    // (GEMINI_API_KEY is read by the same SDK code path; setting both only adds an SDK console warning.)
    Object.assign(process.env, {
      GOOGLE_API_KEY: keys[1]!.key,
      GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:1',
      GOOGLE_GENAI_API_VERSION: 'v1alpha',
      GOOGLE_GENAI_USE_VERTEXAI: 'true',
    });
    try {
      const rec = await h.generator.generateRecommendation(sampleStats());
      expect(rec.attempts).toBe(1);
      expect(Object.keys(h.emulator.stats().byKey)).toEqual([rec.keyFingerprint]);
      expect(rec.keyFingerprint).toBe(h.pool.leases[0]!.fingerprint);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('moves to another key after a per-minute 429 and reports the window and retryDelay', async () => {
    const keys = makeKeys(2);
    h = await harness({ keys });
    h.emulator.configure({ exhaust: [{ project: 'p1', model: MODEL, window: 'minute' }] });
    const rec = await h.generator.generateRecommendation(sampleStats());
    expect(rec.attempts).toBe(2);
    expect(h.pool.leases.map((l) => l.project)).toEqual(['p1', 'p2']);
    const first = h.pool.reports[0]!;
    expect(first.outcome).toMatchObject({ kind: 'rate_limited', scope: 'minute' });
    const delay = (first.outcome as { retryDelayMs: number }).retryDelayMs;
    expect(delay).toBeGreaterThan(55_000);
    expect(delay).toBeLessThanOrEqual(60_000);
    expect(h.sleeps).toEqual([]); // no backoff: another key is tried at once
    expect(h.emulator.stats().byReason).toMatchObject({ RATE_LIMIT_MINUTE: 1, ok: 1 });
  });

  it('moves to another key after an invalid key and reports its reason', async () => {
    const keys = makeKeys(2);
    h = await harness({ keys });
    h.emulator.configure({ keys: { [keys[0]!.key]: { state: 'invalid' } } });
    const rec = await h.generator.generateRecommendation(sampleStats());
    expect(rec.attempts).toBe(2);
    expect(rec.keyFingerprint).toBe(h.pool.leases[1]!.fingerprint);
    expect(h.pool.reports[0]!.outcome).toEqual({ kind: 'invalid_key', reason: 'API_KEY_INVALID' });
  });

  it('backs off with jitter after transient errors, within the configured bounds', async () => {
    h = await harness({
      emulator: { faults: { script: ['unavailable', 'internal', 'unavailable'] } },
      generator: { backoff: { minMs: 100, maxMs: 250 } },
    });
    const rec = await h.generator.generateRecommendation(sampleStats());
    expect(rec.attempts).toBe(4);
    expect(h.sleeps).toHaveLength(3);
    expect(h.sleeps[0]).toBeGreaterThanOrEqual(25);
    expect(h.sleeps[0]).toBeLessThanOrEqual(100);
    expect(h.sleeps[1]).toBeLessThanOrEqual(200);
    expect(h.sleeps[2]).toBeLessThanOrEqual(250);
    expect(h.pool.reports.slice(0, 3).map((r) => r.outcome)).toEqual([
      { kind: 'neutral', reason: 'http_503' },
      { kind: 'neutral', reason: 'http_500' },
      { kind: 'neutral', reason: 'http_503' },
    ]);
  });

  it('gives up after maxAttempts transient failures with a retryable error', async () => {
    h = await harness({ emulator: { faults: { rates: { unavailable: 1 } } }, generator: { maxAttempts: 3 } });
    const err = await h.generator.generateRecommendation(sampleStats()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationFailedError);
    expect(err).toMatchObject({ retryable: true, attempts: 3 });
    expect((err as GenerationFailedError).lastError).toBeInstanceOf(TransientError);
    expect(h.emulator.stats().byStatus['503']).toBe(3);
  });

  it('stops at the total deadline', async () => {
    let now = 1_000_000;
    h = await harness({
      emulator: { faults: { rates: { unavailable: 1 } } },
      generator: {
        totalDeadlineMs: 10_000,
        maxAttempts: 100,
        now: () => now,
        sleep: async (ms) => {
          now += ms;
        },
        backoff: { minMs: 4000, maxMs: 4000 },
      },
    });
    const err = await h.generator.generateRecommendation(sampleStats()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationFailedError);
    expect((err as Error).message).toContain('deadline');
    expect((err as GenerationFailedError).attempts).toBeLessThan(10);
  });

  it('surfaces the pool NoCapacityError unchanged', async () => {
    h = await harness();
    const noCapacity = new NoCapacityError('rate_limited', MODEL, Date.now() + 30_000);
    h.pool.failNextAcquire(noCapacity);
    await expect(h.generator.generateRecommendation(sampleStats())).rejects.toBe(noCapacity);
    expect(h.emulator.stats().requests).toBe(0);
  });

  it('continues on the fallback model when the primary is exhausted for the day on every project', async () => {
    const keys = makeKeys(2);
    h = await harness({ keys, generator: { fallbackModels: [FALLBACK] } });
    h.emulator.configure({
      exhaust: [
        { project: 'p1', model: MODEL, window: 'day' },
        { project: 'p2', model: MODEL, window: 'day' },
      ],
    });
    const rec = await h.generator.generateRecommendation(sampleStats());
    expect(rec.model).toBe(FALLBACK);
    expect(rec.attempts).toBe(3);
    expect(h.pool.reports.slice(0, 2).map((r) => r.outcome)).toEqual([
      expect.objectContaining({ kind: 'rate_limited', scope: 'day' }),
      expect.objectContaining({ kind: 'rate_limited', scope: 'day' }),
    ]);
    expect(h.pool.leases.map((l) => l.model)).toEqual([MODEL, MODEL, FALLBACK]);
  });

  it('remembers an exhausted primary until the pool’s retryAt and starts later generations on the fallback', async () => {
    h = await harness({ keys: makeKeys(1), generator: { fallbackModels: [FALLBACK] } });
    h.pool.failNextAcquire(new NoCapacityError('quota_exhausted', MODEL, Date.now() + 3_600_000));
    expect((await h.generator.generateRecommendation(sampleStats())).model).toBe(FALLBACK);
    expect((await h.generator.generateRecommendation(sampleStats())).model).toBe(FALLBACK);
    expect(h.pool.leases.map((l) => l.model)).toEqual([FALLBACK, FALLBACK]);
  });

  it('goes back to the primary once its retryAt has passed', async () => {
    h = await harness({ keys: makeKeys(1), generator: { fallbackModels: [FALLBACK] } });
    h.pool.failNextAcquire(new NoCapacityError('quota_exhausted', MODEL, Date.now() - 1));
    expect((await h.generator.generateRecommendation(sampleStats())).model).toBe(FALLBACK);
    expect((await h.generator.generateRecommendation(sampleStats())).model).toBe(MODEL);
  });

  it('surfaces quota_exhausted when there is no fallback left', async () => {
    h = await harness({ keys: makeKeys(1) });
    h.emulator.configure({ exhaust: [{ project: 'p1', model: MODEL, window: 'day' }] });
    const err = await h.generator.generateRecommendation(sampleStats()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoCapacityError);
    expect(err).toMatchObject({ reason: 'quota_exhausted', model: MODEL });
    expect(h.pool.reports[0]!.outcome).toMatchObject({ kind: 'rate_limited', scope: 'day' });
  });

  it('reports a zero-quota model (limit 0) as such', async () => {
    h = await harness({
      keys: makeKeys(1),
      emulator: { models: { [MODEL]: { rpm: 10, rpd: 0 } } },
    });
    await expect(h.generator.generateRecommendation(sampleStats())).rejects.toBeInstanceOf(NoCapacityError);
    expect(h.pool.reports[0]!.outcome).toEqual({
      kind: 'rate_limited',
      scope: 'day',
      zeroQuota: true,
      retryDelayMs: expect.any(Number),
    });
  });
});
