import { databaseEnv, type Env, envVar, parseEnv, queueEnv, recsEnv, redisEnv } from '@mealwise/config';
import { type GeminiPoolEnv, geminiPoolEnv } from '@mealwise/key-pool';
import { z } from 'zod';

// The CLI parses only the variables a command needs, when it needs them: `db migrate` must not
// demand GEMINI_API_KEYS. Each getter throws ConfigError naming the bad variable.

const recsSchema = recsEnv.pick({ RECS_MIN_ORDERS: true, RECS_DAYS: true });
const recsCacheSchema = recsEnv.pick({ RECS_CACHE_TTL_SECONDS: true, RECS_REDIS_NAMESPACE: true });
const recsNamespaceSchema = recsEnv.pick({ RECS_REDIS_NAMESPACE: true });

// The CLI logs warnings only by default: its output is the command's result.
const logSchema = z.object({
  LOG_LEVEL: envVar.enum(['error', 'warn', 'info', 'debug']).default('warn'),
});

export interface CliConfig {
  database(): z.output<typeof databaseEnv>;
  redis(): z.output<typeof redisEnv>;
  /** Who counts as active and the stats window: the defaults of `users active` and `stats`. */
  recs(): z.output<typeof recsSchema>;
  log(): z.output<typeof logSchema>;
  queues(): z.output<typeof queueEnv>;
  recsCache(): z.output<typeof recsCacheSchema>;
  /** RECS_REDIS_NAMESPACE: prepended to cache and run-summary keys (empty in production). */
  recsNamespace(): string;
  /** GEMINI_API_KEYS and the key pool's limits, models and prefix (the schema the apps share). */
  gemini(): GeminiPoolEnv;
  /** The raw environment, for command modules that parse their own variables with parseEnv. */
  readonly env: Env;
}

export function cliConfig(env: Env): CliConfig {
  return {
    env,
    database: () => parseEnv(databaseEnv, env),
    redis: () => parseEnv(redisEnv, env),
    recs: () => parseEnv(recsSchema, env),
    log: () => parseEnv(logSchema, env),
    queues: () => parseEnv(queueEnv, env),
    recsCache: () => parseEnv(recsCacheSchema, env),
    recsNamespace: () => parseEnv(recsNamespaceSchema, env).RECS_REDIS_NAMESPACE,
    gemini: () => parseEnv(geminiPoolEnv, env),
  };
}
