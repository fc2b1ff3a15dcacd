import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrlEnv, type Env, parseEnv } from './env.ts';

/** The repository root (this file is apps/demo/src/settings.ts). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The emulator's demo configuration: two projects, a revoked key, 60 requests per minute each. */
export const EMULATOR_CONFIG = join(REPO_ROOT, 'apps', 'demo', 'emulator.demo.json');

/** Entry points of the processes the demo starts (TypeScript, run by Node 22's type stripping). */
export const ENTRY = {
  api: join(REPO_ROOT, 'apps', 'api', 'src', 'main.ts'),
  worker: join(REPO_ROOT, 'apps', 'worker', 'src', 'main.ts'),
  cli: join(REPO_ROOT, 'apps', 'cli', 'src', 'main.ts'),
  emulator: join(REPO_ROOT, 'packages', 'gemini-emulator', 'src', 'cli.ts'),
};

/**
 * The demo's own key prefixes, so it never touches a developer's queues or key pool — and its own
 * Redis database, because the cache (`recommendations:user:*`) and run summaries (`recs:*`) have
 * fixed names (DESIGN §5).
 */
export const DEMO_BULL_PREFIX = 'mwdemo';
export const DEMO_POOL_PREFIX = 'mwdemo:gemini:';
/** What the demo deletes in its Redis database before a run. */
export const DEMO_REDIS_PATTERNS = [`${DEMO_BULL_PREFIX}:*`, 'recs:*', 'recommendations:*'];

/** Quota the demo's pool enforces: the emulator's per-project limits (emulator.demo.json). */
export const DEMO_RPM = 60;
export const DEMO_RPD = 1000;

export interface DemoSettings {
  databaseUrl: string;
  redisUrl: string;
}

/**
 * `MEALWISE_DEMO_DATABASE_URL` (default: the local server's `mealwise_demo` database) and
 * `MEALWISE_DEMO_REDIS_URL` (default: database 1 of the local Redis; never 0, which the
 * developer's own runs and the tests use).
 */
export function demoSettings(env: Env): DemoSettings {
  const parsed = parseEnv(databaseUrlEnv, env);
  return { databaseUrl: parsed.MEALWISE_DEMO_DATABASE_URL, redisUrl: parsed.MEALWISE_DEMO_REDIS_URL };
}

/** `project:key` for every key of the emulator's config, the revoked one included. */
export function demoKeyList(): string {
  const config = JSON.parse(readFileSync(EMULATOR_CONFIG, 'utf8')) as {
    keys: Record<string, { project?: string }>;
  };
  return Object.entries(config.keys)
    .map(([key, spec]) => (spec.project ? `${spec.project}:${key}` : key))
    .join(',');
}

/** Fresh credentials for this run (printed at the end: they exist only while the demo runs). */
export function demoCredentials() {
  const token = () => randomBytes(18).toString('base64url');
  return {
    apiToken: `demo-api-${token()}`,
    adminToken: `demo-admin-${token()}`,
    bullBoardUser: 'demo',
    bullBoardPassword: token(),
  };
}
export type DemoCredentials = ReturnType<typeof demoCredentials>;
