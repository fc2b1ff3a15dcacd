import { ApiError } from '@google/genai';
import { describe, expect, it } from '@jest/globals';
import { classifyError, parseRetryDelay } from './classify.ts';
import {
  BadRequestError,
  GeminiConfigurationError,
  GenerationCancelledError,
  InvalidKeyError,
  ModelNotFoundError,
  RateLimitError,
  TransientError,
} from './errors.ts';

const ctx = { model: 'gemini-2.5-flash', apiVersion: 'v1beta' };
const apiError = (status: number, body: unknown) =>
  new ApiError({ status, message: typeof body === 'string' ? body : JSON.stringify(body) });

// Verbatim from shared/reference/gemini-api.md.
const INVALID_KEY =
  '{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}';
const QUOTA_DAY =
  '{"error":{"code":429,"message":"You exceeded your current quota ... Please retry in 26.5s.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier","quotaDimensions":{"location":"global","model":"gemini-2.5-flash"},"quotaValue":"250"}]},{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"26s"}]}}';

const quota = (quotaId: string, quotaValue: string, retryDelay?: string, reversed = false) => {
  const details: unknown[] = [
    { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId, quotaValue }] },
    ...(retryDelay ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }] : []),
  ];
  if (reversed) details.reverse();
  return apiError(429, { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details } });
};

describe('parseRetryDelay', () => {
  it.each([
    ['26s', 26_000],
    ['0s', 0],
    ['45.837906927s', 45_838],
    ['1.5s', 1_500],
    ['0.000000001s', 1],
  ])('%s → %i ms', (text, ms) => expect(parseRetryDelay(text)).toBe(ms));

  it.each([['26'], ['-1s'], ['1.2.3s'], [26], [undefined]])('rejects %p', (v) =>
    expect(parseRetryDelay(v)).toBeUndefined(),
  );
});

describe('classifyError on real Google bodies', () => {
  it('400 API_KEY_INVALID (the reference body)', () => {
    const c = classifyError(apiError(400, INVALID_KEY), ctx);
    expect(c?.error).toBeInstanceOf(InvalidKeyError);
    expect(c?.outcome).toEqual({ kind: 'invalid_key', reason: 'API_KEY_INVALID' });
  });

  it('429 per day with quotaValue and RetryInfo (the reference body)', () => {
    const c = classifyError(apiError(429, QUOTA_DAY), ctx);
    expect(c?.error).toBeInstanceOf(RateLimitError);
    expect(c?.error).toMatchObject({ scope: 'day', zeroQuota: false, retryDelayMs: 26_000 });
    expect(c?.outcome).toEqual({ kind: 'rate_limited', scope: 'day', retryDelayMs: 26_000 });
  });

  it('429 details in any order; per minute; tokens; zero quota', () => {
    expect(
      classifyError(
        quota('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '10', '45.837906927s', true),
        ctx,
      )?.outcome,
    ).toEqual({ kind: 'rate_limited', scope: 'minute', retryDelayMs: 45_838 });
    expect(
      classifyError(quota('GenerateContentInputTokensPerModelPerMinute-FreeTier', '250000'), ctx)?.outcome,
    ).toEqual({
      kind: 'rate_limited',
      scope: 'tokens',
    });
    expect(
      classifyError(quota('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '0', '0s'), ctx)?.outcome,
    ).toEqual({
      kind: 'rate_limited',
      scope: 'day',
      retryDelayMs: 0,
      zeroQuota: true,
    });
  });

  it('429 without details: scope unknown; "limit: 0" read from the prose only then', () => {
    const bare = apiError(429, {
      error: { code: 429, message: 'Resource exhausted.', status: 'RESOURCE_EXHAUSTED' },
    });
    expect(classifyError(bare, ctx)?.outcome).toEqual({ kind: 'rate_limited', scope: 'unknown' });
    const zero = apiError(429, {
      error: {
        code: 429,
        message: 'Quota exceeded for metric: x, limit: 0, model: y',
        status: 'RESOURCE_EXHAUSTED',
      },
    });
    expect(classifyError(zero, ctx)?.outcome).toEqual({
      kind: 'rate_limited',
      scope: 'unknown',
      zeroQuota: true,
    });
  });

  it('403 reasons from ErrorInfo; the leaked key from its bare message', () => {
    const suspended = apiError(403, {
      error: {
        code: 403,
        message: "Permission denied: Consumer 'api_key:test-key-abc' has been suspended.",
        status: 'PERMISSION_DENIED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CONSUMER_SUSPENDED' }],
      },
    });
    const c = classifyError(suspended, { ...ctx, key: 'test-key-abc' });
    expect(c?.outcome).toEqual({ kind: 'invalid_key', reason: 'CONSUMER_SUSPENDED' });
    expect(c?.error.message).not.toContain('test-key-abc');
    const leaked = apiError(403, {
      error: {
        code: 403,
        message: 'Your API key was reported as leaked. Please use another API key.',
        status: 'PERMISSION_DENIED',
      },
    });
    expect(classifyError(leaked, ctx)?.outcome).toEqual({ kind: 'invalid_key', reason: 'LEAKED' });
    const other = apiError(403, { error: { code: 403, message: 'Forbidden', status: 'PERMISSION_DENIED' } });
    expect(classifyError(other, ctx)?.outcome).toEqual({ kind: 'invalid_key', reason: 'PERMISSION_DENIED' });
  });

  it('401 without details', () => {
    const c = classifyError(
      apiError(401, { error: { code: 401, message: 'x', status: 'UNAUTHENTICATED' } }),
      ctx,
    );
    expect(c?.error).toMatchObject({ reason: 'HTTP_401', httpStatus: 401 });
  });

  it('404, FAILED_PRECONDITION, other 400', () => {
    expect(
      classifyError(
        apiError(404, { error: { code: 404, message: 'models/x is not found', status: 'NOT_FOUND' } }),
        ctx,
      )?.error,
    ).toBeInstanceOf(ModelNotFoundError);
    const fp = apiError(400, {
      error: {
        code: 400,
        message: 'User location is not supported for the API use.',
        status: 'FAILED_PRECONDITION',
      },
    });
    expect(classifyError(fp, ctx)?.error).toBeInstanceOf(GeminiConfigurationError);
    const bad = apiError(400, {
      error: { code: 400, message: 'Invalid JSON payload', status: 'INVALID_ARGUMENT' },
    });
    expect(classifyError(bad, ctx)?.error).toBeInstanceOf(BadRequestError);
  });

  it('5xx, including a non-JSON 502 the SDK wrapped', () => {
    for (const code of [500, 502, 503, 504]) {
      const c = classifyError(apiError(code, { error: { code, message: 'x', status: 'UNAVAILABLE' } }), ctx);
      expect(c?.error).toMatchObject({ kind: 'server', httpStatus: code });
    }
    const wrapped = apiError(502, {
      error: { message: '<html><body>502 Bad Gateway</body></html>', code: 502, status: 'Bad Gateway' },
    });
    expect(classifyError(wrapped, ctx)?.outcome).toEqual({ kind: 'neutral', reason: 'http_502' });
  });
});

describe('classifyError on transport failures', () => {
  const abort = () => new DOMException('This operation was aborted', 'AbortError');

  it('AbortError: timeout unless the caller aborted', () => {
    expect(classifyError(abort(), ctx)?.error).toMatchObject({ kind: 'timeout' });
    const c = classifyError(abort(), { ...ctx, callerSignal: AbortSignal.abort() });
    expect(c?.error).toBeInstanceOf(GenerationCancelledError);
    expect(c?.outcome).toEqual({ kind: 'neutral', reason: 'cancelled' });
  });

  it('fetch failed, bare or wrapped by the SDK, with the socket error code', () => {
    const fetchFailed = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNRESET' }),
    });
    for (const err of [
      fetchFailed,
      new Error('exception TypeError: fetch failed sending request', { cause: fetchFailed }),
    ]) {
      const c = classifyError(err, ctx);
      expect(c?.error).toBeInstanceOf(TransientError);
      expect(c?.error).toMatchObject({ kind: 'network' });
      expect(c?.error.message).toContain('ECONNRESET');
    }
  });

  it('a 200 whose body is not JSON is a bad response; a programming error is not classified', () => {
    expect(classifyError(new SyntaxError('Unexpected token <'), ctx)?.error).toMatchObject({
      kind: 'bad_response',
    });
    expect(classifyError(new RangeError('bug'), ctx)).toBeUndefined();
    expect(classifyError(new TypeError('x is not a function'), ctx)).toBeUndefined();
  });
});
