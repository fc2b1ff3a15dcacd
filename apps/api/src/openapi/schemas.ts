import { isRunId, type RunSummary } from '@mealwise/jobs';
import type { PoolStatus } from '@mealwise/key-pool';
import { recommendationMissSchema, recommendationRecordSchema } from '@mealwise/recs';
import { z } from 'zod';
import { MAX_TGID, parseTgid, TGID_PATTERN } from '../tgid.ts';

// Request and response schemas of the API: they validate requests (params, bodies) and the
// responses the routes build, and the OpenAPI document is generated from them.

export const tgidParam = z
  .string()
  .regex(new RegExp(TGID_PATTERN), { error: 'tgid must be a positive integer' })
  .transform((s, ctx) => {
    const n = parseTgid(s);
    if (n === null) {
      ctx.issues.push({ code: 'custom', message: `tgid must be at most ${MAX_TGID}`, input: s });
      return z.NEVER;
    }
    return n;
  })
  .meta({ description: `Telegram user id, 1 .. 2^52 - 1 (${MAX_TGID})`, example: '123456789' });

export const tgidParams = z.object({ tgid: tgidParam });

export const runIdParams = z.object({
  run_id: z.string().refine(isRunId, { error: "run_id: 1-64 letters, digits, '-' or '_'" }).meta({
    description: 'run id (`2026-11-29` for a nightly run, `manual-…` for a manual one)',
    pattern: '^[A-Za-z0-9_-]{1,64}$',
  }),
});

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'stable machine-readable code, e.g. `UNAUTHORIZED`' }),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });

export const recommendationRecordResponse = recommendationRecordSchema;
export const recommendationMissResponse = recommendationMissSchema;

export const refreshAccepted = z
  .object({
    job_id: z.string().meta({ description: 'the recs-user job that will (re)generate the record' }),
    joined: z
      .boolean()
      .meta({ description: 'true when a job for this user was already pending and this request joined it' }),
  })
  .meta({ id: 'RefreshAccepted' });

export const batchAccepted = z
  .object({ run_id: z.string().meta({ description: 'poll GET /v1/admin/batches/{run_id}' }) })
  .meta({ id: 'BatchAccepted' });

/** An empty JSON object, or no body at all. */
export const emptyBody = z.object({}).strict().optional();

const iso = z.string().nullable();
export const runSummaryResponse = z
  .object({
    run_id: z.string(),
    trigger: z.enum(['schedule', 'manual']).nullable(),
    total: z.number().int().meta({ description: 'active users counted when the batch started' }),
    enqueued: z.number().int(),
    succeeded: z.number().int(),
    skipped: z.number().int().meta({ description: 'statistics unchanged since a fresh record' }),
    failed: z.number().int(),
    fallback: z.number().int().meta({ description: 'failed users who still got a record' }),
    fallback_stale: z.number().int(),
    fallback_rules: z.number().int(),
    started_at: iso,
    fanout_finished_at: iso,
    finished_at: iso,
  })
  .meta({ id: 'RunSummary' });

const keyState = z.enum(['available', 'cooling', 'exhausted', 'invalid']);
const blockReason = z.enum([
  'window_full',
  'tokens',
  'cooldown',
  'daily_limit',
  'daily_quota',
  'zero_quota',
  'invalid',
]);
export const poolStatusResponse = z
  .object({
    now: z.number().meta({ description: 'Redis time of the reading, ms since the epoch' }),
    day: z.string().meta({ description: 'current quota day (Pacific calendar date), YYYY-MM-DD' }),
    models: z.array(z.string()).meta({ description: 'models reported on: GEMINI_MODEL, then the fallbacks' }),
    limits: z.object({
      requestsPerMinute: z.number().int(),
      requestsPerDay: z.number().int(),
      tokensPerMinute: z.number().int().optional(),
    }),
    keys: z.array(
      z.object({
        fingerprint: z
          .string()
          .meta({ description: 'first 12 hex digits of SHA-256 of the key (never the key)' }),
        project: z.string(),
        state: keyState,
        models: z.array(
          z.object({
            model: z.string(),
            usedToday: z.number().int(),
            usedLastMinute: z.number().int(),
            tokensLastMinute: z.number().int(),
            state: keyState,
            cooldownUntil: z.number().nullable(),
            blockedBy: z
              .array(blockReason)
              .meta({ description: 'why the key cannot serve this model now, most binding first' }),
            availableAt: z
              .number()
              .nullable()
              .meta({ description: 'earliest ms it can serve this model again' }),
          }),
        ),
        invalid: z.object({ reason: z.string(), since: z.number() }).nullable(),
      }),
    ),
    capacityLeftToday: z
      .record(z.string(), z.number())
      .meta({ description: 'requests left today, per model' }),
    nextReset: z.number().meta({ description: 'next quota-day reset (Pacific midnight), ms' }),
    lastKey: z.string().nullable().meta({ description: 'fingerprint of the key most recently handed out' }),
  })
  .meta({ id: 'PoolStatus' });

export const healthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

const check = z.object({
  ok: z.boolean(),
  latency_ms: z.number(),
  error: z.string().optional(),
});
export const readinessResponse = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ redis: check, postgres: check }),
    error: errorResponse.shape.error
      .optional()
      .meta({ description: 'present when not ready; names what failed' }),
  })
  .meta({ id: 'Readiness' });

// The HTTP contract must follow the packages' types: a change there fails `pnpm typecheck` here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const runSummaryMatches: Same<z.infer<typeof runSummaryResponse>, RunSummary> = true;
const poolStatusMatches: Same<z.infer<typeof poolStatusResponse>, PoolStatus> = true;
void runSummaryMatches;
void poolStatusMatches;
