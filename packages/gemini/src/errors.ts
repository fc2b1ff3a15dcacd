// Typed failures of a Gemini call. `retryable` answers the worker's one question: can a later
// attempt of the same job succeed (BullMQ retries it) or not (UnrecoverableError)?

export abstract class GeminiError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type RateLimitScope = 'minute' | 'day' | 'tokens' | 'unknown';

/** 429 RESOURCE_EXHAUSTED: the key's project is out of quota for this model. */
export class RateLimitError extends GeminiError {
  readonly code = 'RATE_LIMITED';
  readonly retryable = true;
  readonly scope: RateLimitScope;
  /** `RetryInfo.retryDelay` in ms (fractional seconds kept), when Google sent one. */
  readonly retryDelayMs: number | undefined;
  /** `quotaValue "0"`: this model has no quota at all on this project; waiting does not help. */
  readonly zeroQuota: boolean;
  readonly quotaId: string | undefined;
  readonly model: string;

  constructor(fields: {
    scope: RateLimitScope;
    retryDelayMs?: number;
    zeroQuota: boolean;
    quotaId?: string;
    model: string;
  }) {
    super(
      `Gemini rate limit (${fields.scope}${fields.zeroQuota ? ', zero quota' : ''}) for ${fields.model}` +
        (fields.retryDelayMs !== undefined ? `; retry in ${fields.retryDelayMs} ms` : ''),
    );
    this.scope = fields.scope;
    this.retryDelayMs = fields.retryDelayMs;
    this.zeroQuota = fields.zeroQuota;
    this.quotaId = fields.quotaId;
    this.model = fields.model;
  }
}

/**
 * The key cannot be used: 400 API_KEY_INVALID, 401, or 403 (suspended consumer, blocked service,
 * disabled API, leaked key). Another key may work, so the generation goes on.
 */
export class InvalidKeyError extends GeminiError {
  readonly code = 'INVALID_KEY';
  readonly retryable = true;
  /** `API_KEY_INVALID`, `CONSUMER_SUSPENDED`, `API_KEY_SERVICE_BLOCKED`, `SERVICE_DISABLED`, `LEAKED`, `HTTP_401`, ... */
  readonly reason: string;
  readonly httpStatus: number;

  constructor(reason: string, httpStatus: number, detail: string) {
    super(`Gemini rejected the API key (${httpStatus} ${reason}): ${detail}`);
    this.reason = reason;
    this.httpStatus = httpStatus;
  }
}

/** 404: the model id is wrong or retired. A configuration error: stop, do not retry. */
export class ModelNotFoundError extends GeminiError {
  readonly code = 'MODEL_NOT_FOUND';
  readonly retryable = false;
  readonly model: string;
  readonly apiVersion: string;

  constructor(model: string, apiVersion: string) {
    super(
      `Gemini model "${model}" is not found for API version ${apiVersion}: fix GEMINI_MODEL / GEMINI_FALLBACK_MODELS`,
    );
    this.model = model;
    this.apiVersion = apiVersion;
  }
}

/** 400 FAILED_PRECONDITION (e.g. free tier not available in the caller's region): configuration. */
export class GeminiConfigurationError extends GeminiError {
  readonly code = 'GEMINI_CONFIGURATION';
  readonly retryable = false;
  readonly status: string;

  constructor(status: string, detail: string) {
    super(`Gemini refused the request (${status}): ${detail}`);
    this.status = status;
  }
}

/** Any other 4xx: the request itself is wrong; sending it again cannot help. */
export class BadRequestError extends GeminiError {
  readonly code = 'BAD_REQUEST';
  readonly retryable = false;
  readonly httpStatus: number;
  readonly status: string | undefined;

  constructor(httpStatus: number, status: string | undefined, detail: string) {
    super(`Gemini rejected the request (${httpStatus}${status ? ` ${status}` : ''}): ${detail}`);
    this.httpStatus = httpStatus;
    this.status = status;
  }
}

export type TransientKind = 'server' | 'timeout' | 'network' | 'bad_response' | 'deadline';

/** 5xx, a per-request timeout, a network failure, a garbled 200: try again after a backoff. */
export class TransientError extends GeminiError {
  readonly code = 'TRANSIENT';
  readonly retryable = true;
  readonly kind: TransientKind;
  readonly httpStatus: number | undefined;

  constructor(kind: TransientKind, detail: string, options: { httpStatus?: number; cause?: unknown } = {}) {
    super(`Gemini call failed (${kind}${options.httpStatus ? ` ${options.httpStatus}` : ''}): ${detail}`, {
      cause: options.cause,
    });
    this.kind = kind;
    this.httpStatus = options.httpStatus;
  }
}

/** The caller's abort signal fired (shutdown, job cancelled) — not a timeout. */
export class GenerationCancelledError extends GeminiError {
  readonly code = 'CANCELLED';
  readonly retryable = true;

  constructor(options?: { cause?: unknown }) {
    super('Gemini generation cancelled by the caller', options);
  }
}

export type InvalidAnswerReason = 'json' | 'schema' | 'max_tokens' | 'safety' | 'no_candidates' | 'empty';

/** The model answered, but not with a usable answer. Permanent for this input after one more try. */
export class InvalidAnswerError extends GeminiError {
  readonly code = 'INVALID_ANSWER';
  readonly retryable = false;
  readonly reason: InvalidAnswerReason;

  constructor(reason: InvalidAnswerReason, detail: string) {
    super(`Gemini answer unusable (${reason}): ${detail}`);
    this.reason = reason;
  }
}

/**
 * The generation gave up (attempts or deadline spent, or an answer invalid twice). `retryable`
 * comes from the last failure: transient → a later job attempt may succeed; invalid answer or bad
 * request → permanent for this input.
 */
export class GenerationFailedError extends GeminiError {
  readonly code = 'GENERATION_FAILED';
  readonly retryable: boolean;
  readonly attempts: number;
  readonly lastError: GeminiError;

  constructor(lastError: GeminiError, attempts: number, why: string) {
    super(`Gemini generation failed after ${attempts} attempt(s) (${why}): ${lastError.message}`, {
      cause: lastError,
    });
    this.lastError = lastError;
    this.attempts = attempts;
    this.retryable = lastError.retryable;
  }
}
