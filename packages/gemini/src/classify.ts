import type { CallOutcome } from '@mealwise/key-pool';
import {
  BadRequestError,
  GeminiConfigurationError,
  type GeminiError,
  GenerationCancelledError,
  InvalidKeyError,
  ModelNotFoundError,
  RateLimitError,
  type RateLimitScope,
  TransientError,
} from './errors.ts';

/** `{code, message, status, details}` of a Google error body. */
export interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<Record<string, unknown> & { '@type'?: string }>;
}

export interface Classified {
  error: GeminiError;
  /** What the key pool is told about the key that made the call. */
  outcome: CallOutcome;
}

export interface ClassifyContext {
  model: string;
  apiVersion: string;
  /** The caller's signal: an abort while it is aborted is a cancellation, otherwise a timeout. */
  callerSignal?: AbortSignal | undefined;
  /** The key used, masked out of any message kept from the body. */
  key?: string;
}

const TYPE = 'type.googleapis.com/google.rpc.';

/**
 * The SDK's ApiError carries the error body re-serialised in `message`; a non-JSON body is
 * wrapped as `{"error":{"message":"<raw>","code":N,"status":"<statusText>"}}`.
 */
export function parseErrorBody(message: string): GoogleErrorBody | undefined {
  try {
    const parsed = JSON.parse(message) as { error?: GoogleErrorBody };
    return parsed && typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/** protobuf Duration JSON ("26s", "45.837906927s", "0s") → ms, rounded up. */
export function parseRetryDelay(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(value.trim());
  if (!m) return undefined;
  const nanos = Number((m[2] ?? '').padEnd(9, '0'));
  return Number(m[1]) * 1000 + Math.ceil(nanos / 1e6);
}

const detail = (body: GoogleErrorBody | undefined, type: string) =>
  body?.details?.find((d) => d['@type'] === `${TYPE}${type}`);

function rateLimit(body: GoogleErrorBody | undefined, model: string): Classified {
  const violations = (detail(body, 'QuotaFailure')?.violations ?? []) as Array<{
    quotaId?: string;
    quotaValue?: string;
  }>;
  const ids = violations.map((v) => v.quotaId ?? '');
  // A per-day violation dominates: that project+model is done until Pacific midnight.
  const scope: RateLimitScope = ids.some((id) => /PerDay/i.test(id))
    ? 'day'
    : ids.some((id) => /Token/i.test(id))
      ? 'tokens'
      : ids.some((id) => /PerMinute/i.test(id))
        ? 'minute'
        : 'unknown';
  // quotaValue is the structured field; bodies without QuotaFailure only have the prose "limit: 0".
  const zeroQuota = violations.length
    ? violations.some((v) => v.quotaValue === '0')
    : /\blimit: 0\b/.test(body?.message ?? '');
  const retryDelayMs = parseRetryDelay(detail(body, 'RetryInfo')?.retryDelay);
  const quotaId = ids.find((id) => /PerDay/i.test(id)) ?? ids[0];
  return {
    error: new RateLimitError({ scope, retryDelayMs, zeroQuota, quotaId: quotaId || undefined, model }),
    outcome: {
      kind: 'rate_limited',
      scope,
      ...(retryDelayMs !== undefined ? { retryDelayMs } : {}),
      ...(zeroQuota ? { zeroQuota } : {}),
    },
  };
}

// Name checks, not instanceof: fetch's errors can come from another realm (Jest's vm context,
// worker threads), and the SDK wraps a non-Error rejection as `Error('exception … sending
// request', {cause})` — the cause chain is searched for the real failure.
const named = (err: unknown, ...names: string[]): err is Error =>
  typeof err === 'object' && err !== null && names.includes((err as { name?: unknown }).name as string);

function findInCauses(err: unknown, test: (e: unknown) => boolean): unknown {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e !== undefined && e !== null; depth++) {
    if (test(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const isAbort = (e: unknown): boolean => named(e, 'AbortError', 'TimeoutError');

/** undici reports connection failures as `TypeError('fetch failed')` with the socket error as `cause`. */
const isNetwork = (e: unknown): boolean => named(e, 'TypeError') && (e as Error).message === 'fetch failed';

const isApiError = (err: unknown): err is Error & { status: number } =>
  named(err, 'ApiError') && typeof (err as { status?: unknown }).status === 'number';

/**
 * Turns whatever a generateContent call threw into a typed error and the outcome for the pool.
 * Structured fields decide (HTTP status, `error.status`, ErrorInfo `reason`, QuotaFailure
 * `quotaId`/`quotaValue`, RetryInfo `retryDelay`); prose is read only where Google sends nothing
 * else (the leaked-key 403 and a 429 without details). Returns undefined for errors that are not a
 * failed call (programming errors), which the caller rethrows.
 */
export function classifyError(err: unknown, ctx: ClassifyContext): Classified | undefined {
  const abort = findInCauses(err, isAbort);
  if (abort) {
    if (ctx.callerSignal?.aborted) {
      return {
        error: new GenerationCancelledError({ cause: abort }),
        outcome: { kind: 'neutral', reason: 'cancelled' },
      };
    }
    return {
      error: new TransientError('timeout', 'no response before the per-request timeout', { cause: abort }),
      outcome: { kind: 'neutral', reason: 'timeout' },
    };
  }
  const network = findInCauses(err, isNetwork) as Error | undefined;
  if (network) {
    const socket = network.cause as { code?: unknown; message?: unknown } | undefined;
    const code = typeof socket?.code === 'string' ? socket.code : String(socket?.message ?? 'fetch failed');
    return {
      error: new TransientError('network', code, { cause: network }),
      outcome: { kind: 'neutral', reason: 'network' },
    };
  }
  if (named(err, 'SyntaxError')) {
    // A 2xx whose body is not JSON (a proxy page, a cut connection): the server's fault.
    return {
      error: new TransientError('bad_response', 'response body is not JSON', { cause: err }),
      outcome: { kind: 'neutral', reason: 'bad_response' },
    };
  }
  if (!isApiError(err)) return undefined;

  const http = err.status;
  const body = parseErrorBody(err.message);
  const status = typeof body?.status === 'string' ? body.status : undefined;
  let message = typeof body?.message === 'string' ? body.message : `HTTP ${http}`;
  if (ctx.key) message = message.split(ctx.key).join('[key]');
  if (message.length > 300) message = `${message.slice(0, 300)}…`;
  const reason = detail(body, 'ErrorInfo')?.reason;
  const infoReason = typeof reason === 'string' ? reason : undefined;

  if (http === 429 || status === 'RESOURCE_EXHAUSTED') return rateLimit(body, ctx.model);
  if (infoReason === 'API_KEY_INVALID') return invalidKey('API_KEY_INVALID', http, message);
  if (http === 401) return invalidKey(infoReason ?? 'HTTP_401', http, message);
  if (http === 403) {
    // The leaked-key 403 has no details at all: its message is the only signal Google gives.
    const why = infoReason ?? (/leaked/i.test(message) ? 'LEAKED' : (status ?? 'PERMISSION_DENIED'));
    return invalidKey(why, http, message);
  }
  if (http === 404) {
    return {
      error: new ModelNotFoundError(ctx.model, ctx.apiVersion),
      outcome: { kind: 'neutral', reason: 'model_not_found' },
    };
  }
  if (status === 'FAILED_PRECONDITION') {
    return {
      error: new GeminiConfigurationError(status, message),
      outcome: { kind: 'neutral', reason: 'failed_precondition' },
    };
  }
  if (http === 408 || http >= 500) {
    return {
      error: new TransientError('server', message, { httpStatus: http, cause: err }),
      outcome: { kind: 'neutral', reason: `http_${http}` },
    };
  }
  return {
    error: new BadRequestError(http, status, message),
    outcome: { kind: 'neutral', reason: `http_${http}` },
  };
}

function invalidKey(reason: string, http: number, message: string): Classified {
  return { error: new InvalidKeyError(reason, http, message), outcome: { kind: 'invalid_key', reason } };
}
