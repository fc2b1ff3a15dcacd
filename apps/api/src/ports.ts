import type { EnqueuedBatch, EnqueuedUserJob, RunSummary } from '@mealwise/jobs';
import type { ActiveUsersQuery, StatsWindow, UserStats } from '@mealwise/stats';

// The narrow slices of other packages the API uses. main.ts passes the real classes
// (StatsService, RecommendationCache, RecsProducer, RunSummaryStore, KeyPool); tests may pass the
// real ones too, and nothing here depends on how they are built.

/** @mealwise/stats StatsService. */
export interface StatsReader {
  getUserStats(tgid: number, window?: StatsWindow): Promise<UserStats>;
  isActiveUser(tgid: number, query?: Pick<ActiveUsersQuery, 'minOrders' | 'days'>): Promise<boolean>;
}

/** @mealwise/recs RecommendationCache: the stored record JSON as is. */
export interface RecordReader {
  getRaw(tgid: number): Promise<string | null>;
}

/** @mealwise/jobs RecsProducer. */
export interface JobProducer {
  enqueueOnDemand(tgid: number, reason: 'refresh' | 'miss'): Promise<EnqueuedUserJob>;
  enqueueBatch(): Promise<EnqueuedBatch>;
}

/** @mealwise/jobs RunSummaryStore. */
export interface RunSummaryReader {
  get(runId: string): Promise<RunSummary | null>;
}

/** @mealwise/key-pool KeyPool (status only); a BullMQ Queue, for /metrics. */
export type { PoolStatusReader, QueueMetricsSource } from '@mealwise/metrics';

/** One dependency /readyz asks (`select 1`, `PING`). */
export interface ReadinessCheck {
  name: 'redis' | 'postgres';
  check(signal: AbortSignal): Promise<unknown>;
}
