import { createDb } from '@mealwise/db';
import { type GeminiCallEvent, RecommendationGenerator } from '@mealwise/gemini';
import { RunSummaryStore } from '@mealwise/jobs';
import { KeyPool, poolOptionsFromEnv } from '@mealwise/key-pool';
import type { Logger } from '@mealwise/logging';
import { KeyPoolGauges } from '@mealwise/metrics';
import { RecommendationCache } from '@mealwise/recs';
import { closeRedis, createRedis } from '@mealwise/redis';
import { StatsService } from '@mealwise/stats';
import type { WorkerConfig } from './config.ts';
import { WorkerMetrics } from './metrics.ts';
import { collectRunMetrics } from './run-metrics.ts';
import { WorkerService } from './service.ts';
import { classifyFailure } from './user/classify.ts';

export interface BuiltWorker {
  service: WorkerService;
  pool: KeyPool;
  metrics: WorkerMetrics;
  start(): Promise<void>;
  /** Stops the service, then closes every connection. */
  close(): Promise<void>;
}

/** Wires one worker process from its configuration (used by main.ts and by tests). */
export async function buildWorker(config: WorkerConfig, logger: Logger): Promise<BuiltWorker> {
  // BullMQ needs a connection that waits through Redis restarts; the pool, cache and run
  // summaries fail fast instead (the pool must fail closed, never admit on a guess).
  const queueRedis = createRedis(config.REDIS_URL, { role: 'queue', name: 'mealwise:worker:queue', logger });
  const redis = createRedis(config.REDIS_URL, { role: 'command', name: 'mealwise:worker', logger });
  const db = createDb({
    connectionString: config.DATABASE_URL,
    max: Math.max(4, config.WORKER_CONCURRENCY + 2),
    applicationName: 'mealwise-worker',
    statementTimeoutMs: 30_000,
  });
  const stats = new StatsService(db);
  const pool = new KeyPool({
    ...poolOptionsFromEnv(config),
    redis,
    logger: logger.child({ module: 'key-pool' }),
  });
  const metrics = new WorkerMetrics(logger);
  const generator = new RecommendationGenerator({
    keys: pool,
    model: config.GEMINI_MODEL,
    fallbackModels: config.GEMINI_FALLBACK_MODELS,
    apiVersion: config.GEMINI_API_VERSION,
    ...(config.GEMINI_BASE_URL ? { baseUrl: config.GEMINI_BASE_URL } : {}),
    timeoutMs: config.GEMINI_TIMEOUT_MS,
    // The whole generation ends before the job's own deadline fires (which aborts it anyway).
    totalDeadlineMs: generationDeadlineFor(config.WORKER_JOB_TIMEOUT_MS),
    thinkingBudget: config.GEMINI_THINKING_BUDGET,
    statsDays: config.RECS_DAYS,
    logger,
    onCall: (c: GeminiCallEvent) =>
      metrics.geminiCalls.inc({ model: c.model, status: c.status, reason: c.reason }),
  });
  const ns = config.RECS_REDIS_NAMESPACE;
  const cache = new RecommendationCache({
    redis,
    ttlSeconds: config.RECS_CACHE_TTL_SECONDS,
    keyPrefix: `${ns}recommendations:user:`,
  });
  const runs = new RunSummaryStore({ redis, prefix: `${ns}recs:` });
  // The same key-pool gauges as the API's, read at most every 5 s whatever the scrape rate.
  const poolGauges = new KeyPoolGauges(metrics.registry, pool, 5_000);
  metrics.onCollect(() => poolGauges.refresh(logger));
  metrics.onCollect(() => collectRunMetrics(metrics, runs));

  const service = new WorkerService({
    connection: queueRedis,
    prefix: config.BULL_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    limiterPerMinute: config.WORKER_LIMITER_PER_MINUTE ?? pool.limiter().max,
    jobTimeoutMs: config.WORKER_JOB_TIMEOUT_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
    maxPauseMs: config.WORKER_MAX_PAUSE_MS,
    configRecheckMs: config.WORKER_CONFIG_RECHECK_MS,
    drainMs: config.WORKER_DRAIN_MS,
    shutdownTimeoutMs: config.WORKER_SHUTDOWN_TIMEOUT_MS,
    schedule: config.RECS_SCHEDULER_ENABLED ? { cron: config.RECS_CRON, tz: config.RECS_TZ } : null,
    metricsPort: config.WORKER_METRICS_PORT,
    fanout: {
      users: stats,
      stats,
      cache,
      skipUnchangedForMs: config.RECS_SKIP_UNCHANGED_HOURS * 3_600_000,
      checkConcurrency: 4,
      runs,
      minOrders: config.RECS_MIN_ORDERS,
      days: config.RECS_DAYS,
      tz: config.RECS_TZ,
      chunkSize: config.WORKER_FANOUT_CHUNK,
      retryDelayMs: config.WORKER_RETRY_DELAY_MS,
    },
    user: {
      stats,
      generator,
      classify: classifyFailure,
      cache,
      runs,
      days: config.RECS_DAYS,
      skipUnchangedForMs: config.RECS_SKIP_UNCHANGED_HOURS * 3_600_000,
      jobTimeoutMs: config.WORKER_JOB_TIMEOUT_MS,
    },
    metrics,
    logger,
  });

  let closed = false;
  return {
    service,
    pool,
    metrics,
    start: () => service.start(),
    async close() {
      if (closed) return;
      closed = true;
      await service.stop();
      await Promise.allSettled([db.destroy(), closeRedis(redis), closeRedis(queueRedis)]);
    },
  };
}

/** The generator's own budget: a little below the job's deadline, so it gives up cleanly first. */
export function generationDeadlineFor(jobTimeoutMs: number): number {
  return jobTimeoutMs - Math.min(5_000, Math.floor(jobTimeoutMs / 4));
}
