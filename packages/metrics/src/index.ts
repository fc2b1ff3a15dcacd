export { mergeExpositions } from './exposition.ts';
export type { PoolStatusReader } from './key-pool-gauges.ts';
export { KeyPoolGauges } from './key-pool-gauges.ts';
export type { QueueMetricsSource } from './queue-metrics.ts';
export { QueueMetrics } from './queue-metrics.ts';
