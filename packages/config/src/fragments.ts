import { z } from 'zod';
import { envVar } from './env.ts';

// Environment variables several apps share (DESIGN §3), as zod object fragments an app combines
// into its own schema: `z.object({ ...databaseEnv.shape, ...redisEnv.shape, ...mine })`.

export const databaseEnv = z.object({
  /** Orders database (read-only for mealwise in production). */
  DATABASE_URL: envVar.url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/mealwise'),
});

export const redisEnv = z.object({
  /** Queues, key pool and cache. Must run with `maxmemory-policy noeviction`. */
  REDIS_URL: envVar.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
});

export const logEnv = z.object({
  LOG_LEVEL: envVar.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

export const queueEnv = z.object({
  /** BullMQ key prefix; `{bull}` on Redis Cluster so every key of a queue shares a slot. */
  BULL_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9{}_-]{1,64}$/, { error: "must be letters, digits, '_', '-', '{', '}'" })
    .default('bull'),
});

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const recsEnv = z.object({
  /** Nightly schedule (5- or 6-field cron) and its time zone; the run id is the date there. */
  RECS_CRON: z
    .string()
    .refine((s) => [5, 6].includes(s.trim().split(/\s+/).length), {
      error: 'must be a 5- or 6-field cron pattern',
    })
    .default('0 3 * * *'),
  RECS_TZ: z
    .string()
    .refine(validTimeZone, { error: 'must be an IANA time zone, e.g. UTC or Europe/Moscow' })
    .default('UTC'),
  /** Who is active: at least RECS_MIN_ORDERS orders in the last RECS_DAYS days. */
  RECS_MIN_ORDERS: envVar.int({ min: 1, max: 100_000 }).default(5),
  RECS_DAYS: envVar.int({ min: 1, max: 365 }).default(30),
  /** Lifetime of a cached recommendation. */
  RECS_CACHE_TTL_SECONDS: envVar.int({ min: 60, max: 30 * 86_400 }).default(86_400),
  /**
   * Prepended to the cache keys (`recommendations:user:{tgid}`) and run summaries (`recs:run:{id}`,
   * `recs:runs`). Empty in production (DESIGN §5 names); tests and side-by-side installations on
   * one Redis set it so they never see each other's records.
   */
  RECS_REDIS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9{}_:.-]{0,64}$/, { error: "must be letters, digits, '_', '-', '.', ':', '{', '}'" })
    .default(''),
});

export const geminiClientEnv = z.object({
  /** Google's endpoint unless set (e.g. the emulator's URL). */
  GEMINI_BASE_URL: envVar.url(['http', 'https']).optional(),
  GEMINI_API_VERSION: envVar.enum(['v1beta', 'v1', 'v1alpha']).default('v1beta'),
  /** Per request. */
  GEMINI_TIMEOUT_MS: envVar.int({ min: 100, max: 600_000 }).default(30_000),
  /** Thinking tokens per answer; 0 turns thinking off (it costs quota and latency for no gain here). */
  GEMINI_THINKING_BUDGET: envVar.int({ min: 0, max: 24_576 }).default(0),
});
