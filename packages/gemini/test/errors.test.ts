import { afterEach, describe, expect, it } from '@jest/globals';
import { type KeyState, startEmulator } from '@mealwise/gemini-emulator';
import { sampleStats } from '@mealwise/recs/testing';
import { freePort, waitFor } from '@mealwise/testing';
import {
  BadRequestError,
  classifyError,
  GeminiConfigurationError,
  GenerationCancelledError,
  GenerationFailedError,
  InvalidKeyError,
  ModelNotFoundError,
  RateLimitError,
  TransientError,
} from '../src/index.ts';
import { makeKeys } from './helpers/fake-key-source.ts';
import { sdkCall } from './helpers/sdk.ts';
import { type Harness, harness, MODEL } from './helpers/setup.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ctx = { model: MODEL, apiVersion: 'v1beta' };

describe('invalid keys (real SDK, real bodies)', () => {
  const cases: [KeyState, number, string][] = [
    ['invalid', 400, 'API_KEY_INVALID'],
    ['expired', 400, 'API_KEY_INVALID'],
    ['not_found', 400, 'API_KEY_INVALID'],
    ['unauthenticated', 401, 'ACCESS_TOKEN_TYPE_UNSUPPORTED'],
    ['suspended', 403, 'CONSUMER_SUSPENDED'],
    ['service_blocked', 403, 'API_KEY_SERVICE_BLOCKED'],
    ['service_disabled', 403, 'SERVICE_DISABLED'],
    ['leaked', 403, 'LEAKED'],
  ];
  it.each(cases)(
    'key state %s → InvalidKeyError %i %s; the generation moves to the next key',
    async (state, http, reason) => {
      const keys = makeKeys(2);
      h = await harness({ keys });
      h.emulator.configure({ keys: { [keys[0]!.key]: { project: 'p1', state } } });

      const thrown = await sdkCall(h.emulator.url, keys[0]!.key, MODEL);
      const c = classifyError(thrown, { ...ctx, key: keys[0]!.key });
      expect(c?.error).toBeInstanceOf(InvalidKeyError);
      expect(c?.error).toMatchObject({ httpStatus: http, reason, retryable: true });
      expect(c?.outcome).toEqual({ kind: 'invalid_key', reason });
      expect(c?.error.message).not.toContain(keys[0]!.key);

      const rec = await h.generator.generateRecommendation(sampleStats());
      expect(rec.keyFingerprint).toBe(h.pool.leases[1]!.fingerprint);
      expect(h.pool.reports[0]!.outcome).toEqual({ kind: 'invalid_key', reason });
    },
  );

  it('a suspended project makes each of its keys CONSUMER_SUSPENDED', async () => {
    const keys = makeKeys(2);
    h = await harness({ keys, emulator: { projects: { p1: { state: 'suspended' } } } });
    const rec = await h.generator.generateRecommendation(sampleStats());
    expect(rec.attempts).toBe(2);
    expect(h.pool.reports[0]!.outcome).toEqual({ kind: 'invalid_key', reason: 'CONSUMER_SUSPENDED' });
  });
});

describe('configuration errors stop at once', () => {
  it('404 unknown model → ModelNotFoundError, one request, no retry', async () => {
    h = await harness({ generator: { model: 'gemini-2.0-flash-exp' } });
    const err = await h.generator.generateRecommendation(sampleStats()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect(err).toMatchObject({ model: 'gemini-2.0-flash-exp', apiVersion: 'v1beta', retryable: false });
    expect(h.emulator.stats()).toMatchObject({ requests: 1, byReason: { MODEL_NOT_FOUND: 1 } });
    expect(h.pool.reports.map((r) => r.outcome)).toEqual([{ kind: 'neutral', reason: 'model_not_found' }]);
  });

  it('400 FAILED_PRECONDITION (region) → GeminiConfigurationError, no retry', async () => {
    h = await harness({ emulator: { projects: { p1: { state: 'location_unsupported' } } } });
    const err = await h.generator.generateRecommendation(sampleStats()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeminiConfigurationError);
    expect(err).toMatchObject({ status: 'FAILED_PRECONDITION', retryable: false });
    expect(h.emulator.stats().requests).toBe(1);
  });

  it('other 400 INVALID_ARGUMENT → BadRequestError (not the key’s fault)', async () => {
    h = await harness();
    const thrown = await sdkCall(h.emulator.url, h.keys[0]!.key, MODEL, {
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT' },
      responseJsonSchema: { type: 'object' },
    });
    const c = classifyError(thrown, ctx);
    expect(c?.error).toBeInstanceOf(BadRequestError);
    expect(c?.error).toMatchObject({ httpStatus: 400, status: 'INVALID_ARGUMENT', retryable: false });
    expect(c?.outcome).toEqual({ kind: 'neutral', reason: 'http_400' });
  });

  it('a bad request stops the generation at once: permanent for this input', async () => {
    h = await harness({ generator: { thinkingBudget: 100_000 } });
    const err = await h.generator.generateRecommendation(sampleStats()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationFailedError);
    expect(err).toMatchObject({ retryable: false, attempts: 1 });
    expect((err as GenerationFailedError).lastError).toBeInstanceOf(BadRequestError);
    expect(h.pool.reports.map((r) => r.outcome)).toEqual([{ kind: 'neutral', reason: 'http_400' }]);
  });
});

describe('rate limits (429 RESOURCE_EXHAUSTED)', () => {
  it('per minute, with RetryInfo from the real window', async () => {
    h = await harness({ keys: makeKeys(1) });
    h.emulator.configure({ exhaust: [{ project: 'p1', model: MODEL, window: 'minute' }] });
    const c = classifyError(await sdkCall(h.emulator.url, h.keys[0]!.key, MODEL), ctx);
    expect(c?.error).toBeInstanceOf(RateLimitError);
    expect(c?.error).toMatchObject({
      scope: 'minute',
      zeroQuota: false,
      quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
    });
    expect((c!.error as RateLimitError).retryDelayMs).toBeGreaterThan(58_000);
  });

  it('per day', async () => {
    h = await harness({ keys: makeKeys(1) });
    h.emulator.configure({ exhaust: [{ project: 'p1', model: MODEL, window: 'day' }] });
    const c = classifyError(await sdkCall(h.emulator.url, h.keys[0]!.key, MODEL), ctx);
    expect(c?.outcome).toMatchObject({ kind: 'rate_limited', scope: 'day' });
    expect((c!.error as RateLimitError).retryDelayMs).toBeLessThanOrEqual(25 * 3600_000);
  });

  it('input tokens per minute', async () => {
    h = await harness({
      keys: makeKeys(1),
      emulator: { models: { [MODEL]: { rpm: 100, rpd: 100, tpm: 2 } } },
    });
    const c = classifyError(await sdkCall(h.emulator.url, h.keys[0]!.key, MODEL), ctx);
    expect(c?.outcome).toMatchObject({ kind: 'rate_limited', scope: 'tokens' });
  });

  it('zero quota (quotaValue "0")', async () => {
    h = await harness({ keys: makeKeys(1), emulator: { models: { [MODEL]: { rpm: 0, rpd: 100 } } } });
    const c = classifyError(await sdkCall(h.emulator.url, h.keys[0]!.key, MODEL), ctx);
    expect(c?.outcome).toMatchObject({ kind: 'rate_limited', scope: 'minute', zeroQuota: true });
  });

  it('fractional retryDelay keeps its fraction', async () => {
    let now = Date.UTC(2026, 10, 20, 12, 0, 0);
    const key = makeKeys(1)[0]!.key;
    const emulator = await startEmulator(
      {
        keys: { [key]: { project: 'p1' } },
        fractionalRetryDelay: true,
        models: { [MODEL]: { rpm: 1, rpd: 100 } },
      },
      { clock: () => now },
    );
    try {
      await sdkCall(emulator.url, key, MODEL);
      now += 14_162; // 45 838 ms left in the window: retryDelay "45.838000000s"
      const c = classifyError(await sdkCall(emulator.url, key, MODEL), ctx);
      expect(c?.outcome).toEqual({ kind: 'rate_limited', scope: 'minute', retryDelayMs: 45_838 });
    } finally {
      await emulator.close();
    }
  });
});

describe('transient failures', () => {
  it.each([
    ['unavailable', 503],
    ['internal', 500],
  ] as const)('%s → TransientError %i, neutral for the key', async (fault, http) => {
    h = await harness({ emulator: { faults: { script: [fault] } } });
    const c = classifyError(await sdkCall(h.emulator.url, h.keys[0]!.key, MODEL), ctx);
    expect(c?.error).toBeInstanceOf(TransientError);
    expect(c?.error).toMatchObject({ kind: 'server', httpStatus: http, retryable: true });
    expect(c?.outcome).toEqual({ kind: 'neutral', reason: `http_${http}` });
  });

  it('a hung response is cut at the per-request timeout, then the next call succeeds', async () => {
    h = await harness({ emulator: { faults: { script: ['hang'] } }, generator: { timeoutMs: 300 } });
    const rec = await h.generator.generateRecommendation(sampleStats());
    expect(rec.attempts).toBe(2);
    expect(h.pool.reports[0]!.outcome).toEqual({ kind: 'neutral', reason: 'timeout' });
    // The client really dropped the connection: the emulator sees the hung request end.
    await waitFor(() => h!.emulator.stats().hanging === 0, { what: 'hung request closed' });
    expect(h.emulator.stats().byReason).toMatchObject({ hang: 1, ok: 1 });
  });

  it('the caller’s abort signal stops a call and is not mistaken for a timeout', async () => {
    h = await harness({ emulator: { faults: { script: ['hang'] } }, generator: { timeoutMs: 10_000 } });
    const controller = new AbortController();
    const pending = h.generator.generateRecommendation(sampleStats(), { signal: controller.signal });
    await waitFor(() => h!.emulator.stats().hanging === 1, { what: 'request in flight' });
    controller.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationCancelledError);
    expect(h.pool.reports.map((r) => r.outcome)).toEqual([{ kind: 'neutral', reason: 'cancelled' }]);
    expect(h.emulator.stats().requests).toBe(1);
    await waitFor(() => h!.emulator.stats().hanging === 0, { what: 'aborted request closed' });
  });

  it('an already aborted signal makes no call at all', async () => {
    h = await harness();
    const err = await h.generator
      .generateRecommendation(sampleStats(), { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationCancelledError);
    expect(h.pool.leases).toHaveLength(0);
  });

  it('a refused connection (fetch failed) is a retryable network failure', async () => {
    h = await harness({ generator: { maxAttempts: 2 } });
    const port = await freePort();
    const { RecommendationGenerator } = await import('../src/index.ts');
    const generator = new RecommendationGenerator({
      keys: h.pool,
      model: MODEL,
      baseUrl: `http://127.0.0.1:${port}`,
      maxAttempts: 2,
      sleep: async () => {},
    });
    const err = await generator.generateRecommendation(sampleStats()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationFailedError);
    expect(err).toMatchObject({ retryable: true, attempts: 2 });
    expect((err as GenerationFailedError).lastError).toMatchObject({ kind: 'network' });
    expect((err as GenerationFailedError).lastError.message).toContain('ECONNREFUSED');
    expect(h.pool.reports.map((r) => r.outcome)).toEqual([
      { kind: 'neutral', reason: 'network' },
      { kind: 'neutral', reason: 'network' },
    ]);
  });
});
