import { envVar } from '@mealwise/config';
import { z } from 'zod';
import { KeyListError, type ParsedKeyList, parseKeyList } from './keys.ts';
import type { KeyPoolOptions } from './options.ts';

const MODEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const model = () =>
  envVar.string().regex(MODEL, { error: "must be a model id (letters, digits, '.', '_', '-')" });

/**
 * The key pool's environment variables as a zod object fragment, for every app's `parseEnv`
 * schema: `z.object({ ...geminiPoolEnv.shape, ...theAppsOwn })`. A bad key list fails with
 * `parseKeyList`'s message (never the key); its warnings (duplicates) come back in
 * `GEMINI_API_KEYS.warnings` for the app to log.
 */
export const geminiPoolEnv = z.object({
  /** `key` or `project:key`, comma-separated; keys of one Google Cloud project share its quota. */
  GEMINI_API_KEYS: envVar.string().transform((raw, ctx): ParsedKeyList => {
    try {
      return parseKeyList(raw);
    } catch (err) {
      if (!(err instanceof KeyListError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  }),
  /** Requests per quota day (Pacific) per project and model — the seed's name. */
  GEMINI_MAX_REQUESTS_PER_KEY: envVar.int({ min: 1 }).default(195),
  /** Requests per rolling 60 s per project and model. */
  GEMINI_MAX_REQUESTS_PER_MINUTE: envVar.int({ min: 1 }).default(10),
  /** Input tokens per rolling 60 s per project and model; unset = no token budget. */
  GEMINI_MAX_TOKENS_PER_MINUTE: envVar.int({ min: 1 }).optional(),
  GEMINI_MODEL: model().default('gemini-2.5-flash-lite'),
  /** Tried in order when the primary model's quota is gone for the day. */
  GEMINI_FALLBACK_MODELS: envVar
    .list()
    .refine((list) => list.every((m) => MODEL.test(m)), {
      error: "must be comma-separated model ids (letters, digits, '.', '_', '-')",
    })
    .default([]),
  /**
   * Admissions are counted over 60 s plus this guard, so jitter between our admission and the
   * request's arrival at Google never makes two windows' worth look like one (costs ~1.6 % at 1 s).
   */
  GEMINI_RPM_WINDOW_GUARD_MS: envVar.int({ min: 0, max: 30_000 }).default(1_000),
  /** Prefix of the pool's Redis keys; `{gemini}:` on Redis Cluster. */
  GEMINI_KEY_POOL_PREFIX: envVar.string().default('gemini:'),
});

export type GeminiPoolEnv = z.output<typeof geminiPoolEnv>;

/** The `KeyPool` options the environment decides (the app adds `redis` and `logger`). */
export function poolOptionsFromEnv(
  env: GeminiPoolEnv,
): Pick<KeyPoolOptions, 'keys' | 'limits' | 'models' | 'prefix' | 'windowGuardMs'> {
  return {
    keys: env.GEMINI_API_KEYS.keys,
    limits: {
      requestsPerMinute: env.GEMINI_MAX_REQUESTS_PER_MINUTE,
      requestsPerDay: env.GEMINI_MAX_REQUESTS_PER_KEY,
      ...(env.GEMINI_MAX_TOKENS_PER_MINUTE === undefined
        ? {}
        : { tokensPerMinute: env.GEMINI_MAX_TOKENS_PER_MINUTE }),
    },
    models: [env.GEMINI_MODEL, ...env.GEMINI_FALLBACK_MODELS.filter((m) => m !== env.GEMINI_MODEL)],
    prefix: env.GEMINI_KEY_POOL_PREFIX,
    windowGuardMs: env.GEMINI_RPM_WINDOW_GUARD_MS,
  };
}
