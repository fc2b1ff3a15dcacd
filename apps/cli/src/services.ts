import { RecsProducer, RunSummaryStore } from '@mealwise/jobs';
import { RecommendationCache } from '@mealwise/recs';
import type { CliContext } from './context.ts';

// Queue/cache services the batch and recs commands share, built on the context's Redis
// connection and closed with it.

const producers = new WeakMap<CliContext, RecsProducer>();

export function producer(ctx: CliContext): RecsProducer {
  let p = producers.get(ctx);
  if (!p) {
    const made = new RecsProducer({ connection: ctx.redis(), prefix: ctx.config.queues().BULL_PREFIX });
    ctx.onClose(() => made.close());
    producers.set(ctx, made);
    p = made;
  }
  return p;
}

export function runSummaries(ctx: CliContext): RunSummaryStore {
  return new RunSummaryStore({ redis: ctx.redis(), prefix: `${ctx.config.recsNamespace()}recs:` });
}

export function recommendationCache(ctx: CliContext): RecommendationCache {
  const { RECS_CACHE_TTL_SECONDS, RECS_REDIS_NAMESPACE } = ctx.config.recsCache();
  return new RecommendationCache({
    redis: ctx.redis(),
    ttlSeconds: RECS_CACHE_TTL_SECONDS,
    keyPrefix: `${RECS_REDIS_NAMESPACE}recommendations:user:`,
  });
}
