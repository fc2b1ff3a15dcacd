import { databaseEnv, type Env, envVar, parseEnv, queueEnv, recsEnv, redisEnv } from '@mealwise/config';
import { geminiPoolEnv } from '@mealwise/key-pool';
import { z } from 'zod';

// Every variable the API reads (DESIGN §3 names kept; API_* and TELEGRAM_INIT_DATA_MAX_AGE_SECONDS
// are the API's own; the shared ones come from the config and key-pool fragments, so they mean the
// same in every app). Parsed once, in main.ts; everything below main.ts receives typed options.

const token = (name: string) =>
  envVar
    .string()
    .min(16, { error: `must be at least 16 characters (a guessable ${name} is no protection)` })
    .refine((s) => !/[\s,]/.test(s), { error: 'must not contain spaces or commas' });

export const apiEnvSchema = z
  .object({
    ...databaseEnv.shape,
    ...redisEnv.shape,
    // BullMQ key prefix: must match the worker's, or refresh/batch jobs land on queues nobody reads.
    ...queueEnv.shape,
    ...recsEnv.pick({
      RECS_MIN_ORDERS: true,
      RECS_DAYS: true,
      RECS_CACHE_TTL_SECONDS: true,
      // Must match the worker's, or the API reads records the worker never writes.
      RECS_REDIS_NAMESPACE: true,
    }).shape,
    // Key-pool status (GET /v1/admin/key-pool, metrics). The key list is optional here: the API never
    // calls Gemini, and without it those two features report "not configured".
    ...geminiPoolEnv.shape,
    GEMINI_API_KEYS: geminiPoolEnv.shape.GEMINI_API_KEYS.optional(),
    // `http` adds one access-log line per request (below `info`, so off by default).
    LOG_LEVEL: envVar.enum(['error', 'warn', 'info', 'http', 'debug']).default('info'),
    API_PORT: envVar.int({ min: 0, max: 65535 }).default(3000),
    // 0.0.0.0 so a container's port mapping reaches it; set 127.0.0.1 to keep it local.
    API_HOST: envVar.string().default('0.0.0.0'),
    // Service callers (the frontend's backend, the bot): several at once so a token can be rotated
    // without downtime — add the new one, deploy the callers, remove the old one.
    API_TOKENS: envVar
      .list()
      .pipe(z.array(token('API token')))
      .default([]),
    // Operators: /v1/admin/* (and refresh). Absent = the admin routes answer 401 to everyone.
    ADMIN_TOKEN: token('admin token').optional(),
    // Verifies Telegram Mini App initData (`Authorization: tma ...`); absent = end users cannot log in.
    TELEGRAM_BOT_TOKEN: envVar
      .string()
      .regex(/^\d+:[\w-]{20,}$/, { error: 'must look like a bot token from @BotFather (<digits>:<secret>)' })
      .optional(),
    // initData older than this is refused (Telegram signs it once, when the Mini App opens).
    TELEGRAM_INIT_DATA_MAX_AGE_SECONDS: envVar.int({ min: 60, max: 7 * 86_400 }).default(86_400),
    // Bull Board is mounted only when both are set.
    BULL_BOARD_USER: envVar.string().min(1).optional(),
    BULL_BOARD_PASSWORD: envVar.string().min(12, { error: 'must be at least 12 characters' }).optional(),
    BULL_BOARD_READ_ONLY: envVar.bool().default(true),
    // Browser origins allowed to call the API (exact match, e.g. https://app.example.com).
    CORS_ORIGINS: envVar
      .list()
      .pipe(
        z.array(
          z.string().refine((o) => /^https?:\/\/[^/\s]+$/.test(o), {
            error: 'entries must be origins like https://app.example.com (no path, no trailing slash)',
          }),
        ),
      )
      .default([]),
    // Bound on each dependency call of a request: Redis commands, readiness probes, PostgreSQL
    // connection attempts. A dependency slower than this is "down" (503), never a hung request.
    API_DEPENDENCY_TIMEOUT_MS: envVar.int({ min: 50, max: 60_000 }).default(1_000),
    // PostgreSQL statement_timeout for the live-stats queries of a cache miss.
    API_DB_STATEMENT_TIMEOUT_MS: envVar.int({ min: 100, max: 60_000 }).default(3_000),
    // SIGTERM: how long in-flight requests may take before their connections are cut.
    API_SHUTDOWN_TIMEOUT_MS: envVar.int({ min: 0, max: 120_000 }).default(10_000),
  })
  .superRefine((env, ctx) => {
    if (env.BULL_BOARD_USER && !env.BULL_BOARD_PASSWORD) {
      ctx.addIssue({
        code: 'custom',
        path: ['BULL_BOARD_PASSWORD'],
        message: 'is required with BULL_BOARD_USER',
      });
    }
    if (env.BULL_BOARD_PASSWORD && !env.BULL_BOARD_USER) {
      ctx.addIssue({
        code: 'custom',
        path: ['BULL_BOARD_USER'],
        message: 'is required with BULL_BOARD_PASSWORD',
      });
    }
    if (env.API_TOKENS.length === 0 && !env.TELEGRAM_BOT_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['API_TOKENS'],
        message: 'or TELEGRAM_BOT_TOKEN is required (otherwise nobody can read recommendations)',
      });
    }
    if (env.ADMIN_TOKEN && env.API_TOKENS.includes(env.ADMIN_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMIN_TOKEN'],
        message: 'must differ from every API_TOKENS entry',
      });
    }
  });

export type ApiEnv = z.output<typeof apiEnvSchema>;

export function loadApiEnv(env: Env): ApiEnv {
  return parseEnv(apiEnvSchema, env);
}

/** Values that must never reach a log line. */
export function secretsOf(env: ApiEnv): string[] {
  return [
    ...env.API_TOKENS,
    env.ADMIN_TOKEN,
    env.TELEGRAM_BOT_TOKEN,
    env.BULL_BOARD_PASSWORD,
    ...(env.GEMINI_API_KEYS?.keys ?? []).map((k) => k.key),
    passwordOf(env.DATABASE_URL),
    passwordOf(env.REDIS_URL),
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function passwordOf(url: string): string | undefined {
  const password = new URL(url).password;
  return password ? decodeURIComponent(password) : undefined;
}
