export type { Env } from './env.ts';
export { envVar, parseEnv } from './env.ts';
export type { ConfigIssue } from './errors.ts';
export { ConfigError } from './errors.ts';
export { databaseEnv, geminiClientEnv, logEnv, queueEnv, recsEnv, redisEnv } from './fragments.ts';
export { EXIT_CONFIG, formatStartupError } from './startup.ts';
