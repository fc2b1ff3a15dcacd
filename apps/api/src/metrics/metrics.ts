import type { Logger } from '@mealwise/logging';
import {
  KeyPoolGauges,
  type PoolStatusReader,
  QueueMetrics,
  type QueueMetricsSource,
} from '@mealwise/metrics';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { RequestObserver } from '../http/lifecycle.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface ApiMetricsOptions {
  logger: Logger;
  keyPool?: PoolStatusReader | undefined;
  queues?: readonly QueueMetricsSource[];
  /** Key-pool status is read at most this often, whatever the scrape rate (ms). */
  keyPoolCacheMs?: number;
  /** Process metrics (CPU, memory, event loop lag, GC); off in tests that build many apps. */
  defaultMetrics?: boolean;
}

/**
 * /metrics: process metrics, `http_request_duration_seconds{method,route,status_code}`, key-pool
 * gauges (read from Redis on scrape, cached briefly) and BullMQ's queue counts appended.
 */
export class ApiMetrics implements RequestObserver {
  readonly registry = new Registry();
  readonly #duration: Histogram<'method' | 'route' | 'status_code'>;
  // prom-client hashes the label set on every observe(); the label combinations are few, so the
  // bound child of each is kept and observe() on the hot path is a few additions.
  readonly #children = new Map<string, { observe(value: number): void }>();
  readonly #queues: QueueMetrics;
  readonly #pool: KeyPoolGauges | null;
  readonly #logger: Logger;

  constructor(options: ApiMetricsOptions) {
    this.#logger = options.logger;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.#duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.#queues = new QueueMetrics(this.registry, options.logger);
    this.#queues.add(...(options.queues ?? []));
    this.#pool = options.keyPool
      ? new KeyPoolGauges(this.registry, options.keyPool, options.keyPoolCacheMs ?? 5_000)
      : null;
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const m = METHODS.has(method) ? method : 'OTHER';
    const key = `${m} ${route} ${status}`;
    let child = this.#children.get(key);
    if (!child) {
      child = this.#duration.labels(m, route, String(status));
      this.#children.set(key, child);
    }
    child.observe(seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    const [queueText] = await Promise.all([this.#queues.render(), this.#pool?.refresh(this.#logger)]);
    const own = await this.registry.metrics();
    return queueText ? `${own.trimEnd()}\n${queueText}` : own;
  }
}
