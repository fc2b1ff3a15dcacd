import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Database } from '@mealwise/db';
import { RecsProducer, RunSummaryStore } from '@mealwise/jobs';
import { createLogger } from '@mealwise/logging';
import { RecommendationCache } from '@mealwise/recs';
import { closeRedis, createRedis, type Redis } from '@mealwise/redis';
import { StatsService } from '@mealwise/stats';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { type Kysely, sql } from 'kysely';
import { type ApiApp, type ApiDeps, createApp } from '../../src/app.ts';
import type { StatsReader } from '../../src/ports.ts';

export const SERVICE_TOKEN = `svc-${randomUUID()}`;
export const SECOND_SERVICE_TOKEN = `svc-${randomUUID()}`;
export const ADMIN_TOKEN = `adm-${randomUUID()}`;
export const BOT_TOKEN = `123456789:${randomBytes(26).toString('base64url')}`;
export const BOARD_USER = 'ops';
export const BOARD_PASSWORD = `pw-${randomUUID()}`;
export const SECRETS = [SERVICE_TOKEN, SECOND_SERVICE_TOKEN, ADMIN_TOKEN, BOT_TOKEN, BOARD_PASSWORD];

export const service = { Authorization: `Bearer ${SERVICE_TOKEN}` };
export const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

export interface Harness {
  app: ApiApp;
  redis: Redis;
  prefix: string;
  cache: RecommendationCache;
  producer: RecsProducer;
  runs: RunSummaryStore;
  /** Every log line the app wrote (JSON strings). */
  logs: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  db: Kysely<Database>;
  redisUrl?: string;
  stats?: StatsReader;
  overrides?: Partial<ApiDeps>;
}

/** The app wired to the real Redis (unique key prefix) and a real test database. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const prefix = uniquePrefix('api');
  const redis = createRedis(options.redisUrl ?? TEST_REDIS_URL, { role: 'http', commandTimeoutMs: 1_000 });
  // An http-role client has no offline queue: commands before the connection is up would fail.
  if (redis.status !== 'ready') await once(redis, 'ready');
  const cache = new RecommendationCache({ redis, ttlSeconds: 3_600, keyPrefix: `${prefix}:rec:` });
  const producer = new RecsProducer({ connection: redis, prefix: `${prefix}:bull` });
  for (const q of [producer.batchQueue, producer.userQueue]) q.on('error', () => {});
  const runs = new RunSummaryStore({ redis, prefix: `${prefix}:recs:` });
  const logs: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (b: Buffer) => logs.push(...b.toString().split('\n').filter(Boolean)));
  const logger = createLogger({ service: 'api', level: 'http', stream, secrets: SECRETS });
  const db = options.db;
  const app = createApp({
    logger,
    auth: {
      apiTokens: [SERVICE_TOKEN, SECOND_SERVICE_TOKEN],
      adminToken: ADMIN_TOKEN,
      telegramBotToken: BOT_TOKEN,
      initDataMaxAgeSeconds: 3_600,
    },
    corsOrigins: ['https://app.example.com'],
    records: cache,
    stats: options.stats ?? new StatsService(db),
    producer,
    runs,
    queues: [producer.batchQueue, producer.userQueue],
    readinessChecks: [
      { name: 'redis', check: () => redis.ping() },
      { name: 'postgres', check: () => sql`select 1`.execute(db) },
    ],
    dependencyTimeoutMs: 1_000,
    recs: { minOrders: 5, days: 30 },
    secrets: SECRETS,
    defaultMetrics: false,
    ...options.overrides,
  });
  return {
    app,
    redis,
    prefix,
    cache,
    producer,
    runs,
    logs,
    async close() {
      await producer.close();
      if (redis.status === 'ready') await deleteByPrefix(redis, `${prefix}:`);
      await closeRedis(redis);
    },
  };
}

/** Asserts no captured log line contains a secret. */
export function leakedSecrets(lines: readonly string[]): string[] {
  return lines.filter((l) => SECRETS.some((s) => l.includes(s)));
}
