import { type Env, envVar, parseEnv } from '@mealwise/config';
import { type GeminiPoolEnv, geminiPoolEnv } from '@mealwise/key-pool';
import { z } from 'zod';

// The CLI parses only the variables a command needs, when it needs them: `db migrate` must not
// demand GEMINI_API_KEYS. Each getter throws ConfigError naming the bad variable.

const databaseSchema = z.object({
  DATABASE_URL: envVar.url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/mealwise'),
});

const redisSchema = z.object({
  REDIS_URL: envVar.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
});

const queueSchema = z.object({
  // BullMQ key prefix; `{bull}` on Redis Cluster so every queue key shares a slot.
  BULL_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9{}_-]+$/, { error: 'letters, digits, _, -, { }' })
    .default('bull'),
});

const recsCacheSchema = z.object({
  RECS_CACHE_TTL_SECONDS: envVar.int({ min: 60, max: 30 * 86_400 }).default(86_400),
});

const logSchema = z.object({
  LOG_LEVEL: envVar.enum(['error', 'warn', 'info', 'debug']).default('warn'),
});

export interface CliConfig {
  database(): z.output<typeof databaseSchema>;
  redis(): z.output<typeof redisSchema>;
  log(): z.output<typeof logSchema>;
  queues(): z.output<typeof queueSchema>;
  recsCache(): z.output<typeof recsCacheSchema>;
  /** GEMINI_API_KEYS and the key pool's limits, models and prefix (the schema the apps share). */
  gemini(): GeminiPoolEnv;
  /** The raw environment, for command modules that parse their own variables with parseEnv. */
  readonly env: Env;
}

export function cliConfig(env: Env): CliConfig {
  return {
    env,
    database: () => parseEnv(databaseSchema, env),
    redis: () => parseEnv(redisSchema, env),
    log: () => parseEnv(logSchema, env),
    queues: () => parseEnv(queueSchema, env),
    recsCache: () => parseEnv(recsCacheSchema, env),
    gemini: () => parseEnv(geminiPoolEnv, env),
  };
}
