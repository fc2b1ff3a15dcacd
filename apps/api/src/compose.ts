import { createDb } from '@mealwise/db';
import { RecsProducer, RunSummaryStore } from '@mealwise/jobs';
import { KeyPool, poolOptionsFromEnv } from '@mealwise/key-pool';
import type { Logger } from '@mealwise/logging';
import { RecommendationCache } from '@mealwise/recs';
import { closeRedis, createRedis } from '@mealwise/redis';
import { StatsService } from '@mealwise/stats';
import { sql } from 'kysely';
import type { ApiDeps } from './app.ts';
import type { ApiEnv } from './config.ts';
import { secretsOf } from './config.ts';

export interface Composed {
  deps: ApiDeps;
  /**
   * Waits (bounded) for the Redis connection: the http-role client has no offline queue, so
   * requests arriving before it connects would get 503. Resolves false when Redis did not come
   * up in time — the API starts anyway and /readyz says why.
   */
  connected(timeoutMs: number): Promise<boolean>;
  /** Closes queues, Redis and PostgreSQL (after the HTTP server has stopped). */
  close(): Promise<void>;
}

/** Builds every service of the API from its configuration: the only place that does. */
export function compose(env: ApiEnv, logger: Logger): Composed {
  const timeout = env.API_DEPENDENCY_TIMEOUT_MS;
  // `http` role: no offline queue — while Redis is down a command fails at once (503), and each
  // command is bounded by the dependency timeout.
  const redis = createRedis(env.REDIS_URL, {
    role: 'http',
    name: 'mealwise:api',
    logger,
    commandTimeoutMs: timeout,
  });
  const db = createDb({
    connectionString: env.DATABASE_URL,
    max: 10,
    connectionTimeoutMs: timeout,
    // Waiting for one of the 10 clients is our own queue: under a burst of misses it can pass the
    // dependency bound while PostgreSQL is healthy, and a 503 "postgres is unavailable" would be a
    // lie. The wait is bounded like a query (statement timeout); connecting stays bounded by `timeout`.
    acquireTimeoutMs: Math.max(timeout, env.API_DB_STATEMENT_TIMEOUT_MS),
    statementTimeoutMs: env.API_DB_STATEMENT_TIMEOUT_MS,
    applicationName: 'mealwise-api',
  });
  const producer = new RecsProducer({ connection: redis, prefix: env.BULL_PREFIX });
  const queues = [producer.batchQueue, producer.userQueue];
  for (const queue of queues) {
    // A Queue re-emits connection errors; unheard, an 'error' event would kill the process.
    queue.on('error', (err) =>
      logger.debug('queue connection error', { queue: queue.name, error: err.message }),
    );
  }
  // Only status() is used here; the raw keys stay in this process's memory like in the worker.
  const keyPool = env.GEMINI_API_KEYS
    ? new KeyPool({ redis, logger, ...poolOptionsFromEnv({ ...env, GEMINI_API_KEYS: env.GEMINI_API_KEYS }) })
    : undefined;
  for (const warning of env.GEMINI_API_KEYS?.warnings ?? []) logger.warn(`GEMINI_API_KEYS: ${warning}`);

  return {
    deps: {
      logger,
      auth: {
        apiTokens: env.API_TOKENS,
        adminToken: env.ADMIN_TOKEN,
        telegramBotToken: env.TELEGRAM_BOT_TOKEN,
        initDataMaxAgeSeconds: env.TELEGRAM_INIT_DATA_MAX_AGE_SECONDS,
      },
      corsOrigins: env.CORS_ORIGINS,
      records: new RecommendationCache({
        redis,
        ttlSeconds: env.RECS_CACHE_TTL_SECONDS,
        keyPrefix: `${env.RECS_REDIS_NAMESPACE}recommendations:user:`,
      }),
      stats: new StatsService(db),
      producer,
      runs: new RunSummaryStore({ redis, prefix: `${env.RECS_REDIS_NAMESPACE}recs:` }),
      keyPool,
      queues,
      readinessChecks: [
        { name: 'redis', check: () => redis.ping() },
        { name: 'postgres', check: () => sql`select 1`.execute(db) },
      ],
      dependencyTimeoutMs: timeout,
      recs: { minOrders: env.RECS_MIN_ORDERS, days: env.RECS_DAYS },
      bullBoard:
        env.BULL_BOARD_USER && env.BULL_BOARD_PASSWORD
          ? {
              user: env.BULL_BOARD_USER,
              password: env.BULL_BOARD_PASSWORD,
              readOnly: env.BULL_BOARD_READ_ONLY,
            }
          : undefined,
      secrets: secretsOf(env),
    },
    connected(timeoutMs) {
      if (redis.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          redis.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        redis.once('ready', onReady);
      });
    },
    async close() {
      await Promise.allSettled([producer.close()]);
      await Promise.allSettled([closeRedis(redis), db.destroy()]);
    },
  };
}
