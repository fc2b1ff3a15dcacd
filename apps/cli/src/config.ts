import { type Env, envVar, parseEnv } from '@mealwise/config';
import { z } from 'zod';

// The CLI parses only the variables a command needs, when it needs them: `db migrate` must not
// demand GEMINI_API_KEYS. Each getter throws ConfigError naming the bad variable.

const databaseSchema = z.object({
  DATABASE_URL: envVar.url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/mealwise'),
});

const redisSchema = z.object({
  REDIS_URL: envVar.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
});

// Who counts as active and the stats window (DESIGN §3): the defaults of `users active` and `stats`.
const recsSchema = z.object({
  RECS_MIN_ORDERS: envVar.int({ min: 1, max: 100_000 }).default(5),
  RECS_DAYS: envVar.int({ min: 1, max: 365 }).default(30),
});

const logSchema = z.object({
  LOG_LEVEL: envVar.enum(['error', 'warn', 'info', 'debug']).default('warn'),
});

export interface CliConfig {
  database(): z.output<typeof databaseSchema>;
  redis(): z.output<typeof redisSchema>;
  recs(): z.output<typeof recsSchema>;
  log(): z.output<typeof logSchema>;
  /** The raw environment, for command modules that parse their own variables with parseEnv. */
  readonly env: Env;
}

export function cliConfig(env: Env): CliConfig {
  return {
    env,
    database: () => parseEnv(databaseSchema, env),
    redis: () => parseEnv(redisSchema, env),
    recs: () => parseEnv(recsSchema, env),
    log: () => parseEnv(logSchema, env),
  };
}
