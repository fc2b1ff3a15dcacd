// Error bodies exactly as Google's Generative Language API sends them (field order included), so
// the SDK's ApiError carries what it carries in production. Messages never echo the API key:
// where Google names the consumer we use the project number.

const SERVICE = 'generativelanguage.googleapis.com';
const TYPE = 'type.googleapis.com/google.rpc.';

export interface ErrorBody {
  status: number;
  body: string;
  /** Short label for /_emulator/stats (`API_KEY_INVALID`, `RATE_LIMIT_MINUTE`, ...). */
  reason: string;
}

function error(
  code: number,
  status: string,
  message: string,
  reason: string,
  details?: unknown[],
): ErrorBody {
  const err: Record<string, unknown> = { code, message, status };
  if (details) err.details = details;
  return { status: code, body: JSON.stringify({ error: err }), reason };
}

const errorInfo = (reason: string, metadata: Record<string, string>) => ({
  '@type': `${TYPE}ErrorInfo`,
  reason,
  domain: 'googleapis.com',
  metadata,
});

const method = (apiVersion: string) =>
  `google.ai.generativelanguage.${apiVersion}.GenerativeService.GenerateContent`;

export const invalidKey = (variant: 'invalid' | 'expired' | 'not_found' = 'invalid'): ErrorBody =>
  error(
    400,
    'INVALID_ARGUMENT',
    {
      invalid: 'API key not valid. Please pass a valid API key.',
      expired: 'API key expired. Please renew the API key.',
      not_found: 'API Key not found. Please pass a valid API key.',
    }[variant],
    'API_KEY_INVALID',
    [errorInfo('API_KEY_INVALID', { service: SERVICE })],
  );

export const missingKey = (): ErrorBody =>
  error(
    403,
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    'UNREGISTERED_CALLER',
  );

export const unauthenticated = (apiVersion: string): ErrorBody =>
  error(
    401,
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    'ACCESS_TOKEN_TYPE_UNSUPPORTED',
    [errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED', { method: method(apiVersion), service: SERVICE })],
  );

export const consumerSuspended = (projectNumber: string): ErrorBody =>
  error(
    403,
    'PERMISSION_DENIED',
    `Permission denied: Consumer 'projects/${projectNumber}' has been suspended.`,
    'CONSUMER_SUSPENDED',
    [errorInfo('CONSUMER_SUSPENDED', { consumer: `projects/${projectNumber}`, service: SERVICE })],
  );

export const serviceBlocked = (projectNumber: string, apiVersion: string): ErrorBody =>
  error(
    403,
    'PERMISSION_DENIED',
    `Requests to this API ${SERVICE} method ${method(apiVersion)} are blocked.`,
    'API_KEY_SERVICE_BLOCKED',
    [
      errorInfo('API_KEY_SERVICE_BLOCKED', {
        methodName: method(apiVersion),
        apiName: SERVICE,
        consumer: `projects/${projectNumber}`,
        service: SERVICE,
      }),
    ],
  );

export const serviceDisabled = (projectNumber: string): ErrorBody => {
  const url = `https://console.developers.google.com/apis/api/${SERVICE}/overview?project=${projectNumber}`;
  return error(
    403,
    'PERMISSION_DENIED',
    `Generative Language API has not been used in project ${projectNumber} before or it is disabled. Enable it by visiting ${url} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
    'SERVICE_DISABLED',
    [
      errorInfo('SERVICE_DISABLED', {
        activationUrl: url,
        consumer: `projects/${projectNumber}`,
        service: SERVICE,
        serviceTitle: 'Generative Language API',
        containerInfo: projectNumber,
      }),
      {
        '@type': `${TYPE}Help`,
        links: [{ description: 'Google developers console API activation', url }],
      },
    ],
  );
};

/** Google sends this one without any details: only the prose identifies it. */
export const leakedKey = (): ErrorBody =>
  error(
    403,
    'PERMISSION_DENIED',
    'Your API key was reported as leaked. Please use another API key.',
    'LEAKED',
  );

export const locationUnsupported = (): ErrorBody =>
  error(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.', 'FAILED_PRECONDITION');

export const badRequest = (message: string, fieldViolation?: { field: string }): ErrorBody =>
  error(
    400,
    'INVALID_ARGUMENT',
    message,
    'INVALID_ARGUMENT',
    fieldViolation
      ? [
          {
            '@type': `${TYPE}BadRequest`,
            fieldViolations: [{ field: fieldViolation.field, description: message }],
          },
        ]
      : undefined,
  );

export const modelNotFound = (model: string, apiVersion: string): ErrorBody =>
  error(
    404,
    'NOT_FOUND',
    `models/${model} is not found for API version ${apiVersion}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    'MODEL_NOT_FOUND',
  );

export const routeNotFound = (): ErrorBody => error(404, 'NOT_FOUND', 'Method not found.', 'ROUTE_NOT_FOUND');

export const internal = (): ErrorBody =>
  error(
    500,
    'INTERNAL',
    'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    'INTERNAL',
  );

export const unavailable = (): ErrorBody =>
  error(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.', 'UNAVAILABLE');

const QUOTA = {
  minute: {
    metric: `${SERVICE}/generate_content_free_tier_requests`,
    id: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
    reason: 'RATE_LIMIT_MINUTE',
  },
  day: {
    metric: `${SERVICE}/generate_content_free_tier_requests`,
    id: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
    reason: 'RATE_LIMIT_DAY',
  },
  tokens: {
    metric: `${SERVICE}/generate_content_free_tier_input_token_count`,
    id: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
    reason: 'RATE_LIMIT_TOKENS',
  },
} as const;

/** protobuf Duration in JSON: whole seconds ("26s") or with nanoseconds ("26.508000000s"). */
export function formatRetryDelay(ms: number, fractional: boolean): string {
  return fractional ? `${(ms / 1000).toFixed(9)}s` : `${Math.floor(ms / 1000)}s`;
}

export const quotaExceeded = (
  window: 'minute' | 'day' | 'tokens',
  model: string,
  limit: number,
  retryDelayMs: number,
  fractional: boolean,
): ErrorBody => {
  const q = QUOTA[window];
  return error(
    429,
    'RESOURCE_EXHAUSTED',
    `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. \n* Quota exceeded for metric: ${q.metric}, limit: ${limit}, model: ${model}\nPlease retry in ${(retryDelayMs / 1000).toFixed(6)}s.`,
    limit === 0 ? `${q.reason}_ZERO` : q.reason,
    [
      {
        '@type': `${TYPE}QuotaFailure`,
        violations: [
          {
            quotaMetric: q.metric,
            quotaId: q.id,
            quotaDimensions: { location: 'global', model },
            quotaValue: String(limit),
          },
        ],
      },
      {
        '@type': `${TYPE}Help`,
        links: [
          {
            description: 'Learn more about Gemini API quotas',
            url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
          },
        ],
      },
      { '@type': `${TYPE}RetryInfo`, retryDelay: formatRetryDelay(retryDelayMs, fractional) },
    ],
  );
};
