import { apiEnvSchema } from '@mealwise/api';
import { workerConfigSchema } from '@mealwise/worker/src/config.ts';
import type { z } from 'zod';
import { readText } from './repo.ts';

export const WORKER_SCHEMA = workerConfigSchema;

/** The environment schemas of the long-running apps, as their composition roots parse them. */
export const APP_SCHEMAS: Record<string, z.ZodObject> = {
  api: apiEnvSchema,
  worker: workerConfigSchema,
};

/** Which app each image runs (images are `mealwise-<Dockerfile target>`). */
export const IMAGE_APP: Record<string, string> = {
  'mealwise-api': 'api',
  'mealwise-worker': 'worker',
  'mealwise-cli': 'cli',
  'mealwise-gemini-emulator': 'gemini-emulator',
};

/**
 * Variables whose values are secrets: keys, tokens, passwords, and the connection URLs (they carry
 * credentials). They travel only through Secrets. A test fails when a schema grows a variable that
 * looks secret (TOKEN, PASSWORD, SECRET, API_KEYS, _URL with credentials) without being listed here.
 */
export const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'GEMINI_API_KEYS',
  'API_TOKENS',
  'ADMIN_TOKEN',
  'TELEGRAM_BOT_TOKEN',
  'BULL_BOARD_PASSWORD',
]);

export const looksSecret = (name: string): boolean =>
  /(^|_)(TOKENS?|PASSWORD|SECRET|API_KEYS?|CREDENTIALS?)$/.test(name) ||
  name === 'DATABASE_URL' ||
  name === 'REDIS_URL';

/** Every variable any app schema knows. */
export function allAppVariables(): Set<string> {
  return new Set(Object.values(APP_SCHEMAS).flatMap((s) => Object.keys(s.shape)));
}

/**
 * The worker's hard exit bound on SIGTERM: `WORKER_SHUTDOWN_TIMEOUT_MS + margin`, the margin read
 * from the worker's main.ts so a change there is seen here.
 */
export function workerExitMarginMs(): number {
  const main = readText('apps/worker/src/main.ts');
  const m = /config\.WORKER_SHUTDOWN_TIMEOUT_MS \+ ([\d_]+)/.exec(main);
  if (!m?.[1])
    throw new Error(
      'apps/worker/src/main.ts: cannot find the shutdown bound (WORKER_SHUTDOWN_TIMEOUT_MS + n)',
    );
  return Number(m[1].replaceAll('_', ''));
}
