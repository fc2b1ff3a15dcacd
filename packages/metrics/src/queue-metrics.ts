import type { Logger } from '@mealwise/logging';
import { Gauge, type Registry } from 'prom-client';
import { mergeExpositions } from './exposition.ts';

/** A BullMQ queue, as far as its metrics go. */
export interface QueueMetricsSource {
  exportPrometheusMetrics(globalVariables?: Record<string, string>): Promise<string>;
}

/**
 * BullMQ's own counts (`bullmq_job_count{queue,state}`, completed/failed totals) for several
 * queues, merged into one valid exposition, with `mealwise_queue_metrics_up` saying whether they
 * could be read from Redis on this scrape.
 */
export class QueueMetrics {
  readonly #queues: QueueMetricsSource[] = [];
  readonly #up: Gauge;
  readonly #logger: Logger;

  constructor(registry: Registry, logger: Logger) {
    this.#logger = logger;
    this.#up = new Gauge({
      name: 'mealwise_queue_metrics_up',
      help: '1 when the BullMQ queue counts below were read from Redis on this scrape',
      registers: [registry],
    });
  }

  add(...queues: QueueMetricsSource[]): void {
    this.#queues.push(...queues);
  }

  /** The merged text of every queue ('' when there are none or Redis did not answer). */
  async render(): Promise<string> {
    if (this.#queues.length === 0) return '';
    try {
      const texts = await Promise.all(this.#queues.map((q) => q.exportPrometheusMetrics()));
      this.#up.set(1);
      return mergeExpositions(texts);
    } catch (err) {
      this.#up.set(0);
      this.#logger.warn('queue metrics unavailable', { error: (err as Error).message });
      return '';
    }
  }
}
