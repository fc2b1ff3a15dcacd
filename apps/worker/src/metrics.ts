import { createServer, type Server } from 'node:http';
import { type Logger, silentLogger } from '@mealwise/logging';
import { QueueMetrics, type QueueMetricsSource } from '@mealwise/metrics';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The worker's Prometheus metrics. Names are part of the operations contract: the Grafana
 * dashboard and the alert rules in infra/ refer to them (a test checks they exist).
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobs: Counter<'queue' | 'outcome'>;
  readonly generationSeconds: Histogram<'model'>;
  readonly geminiCalls: Counter<'model' | 'status' | 'reason'>;
  readonly queuePaused: Counter<'reason'>;
  readonly batchUsers: Gauge<'run_id' | 'state'>;
  readonly batchFinished: Gauge<'run_id'>;
  readonly #collectors: (() => Promise<void>)[] = [];
  readonly #queues: QueueMetrics;

  constructor(logger: Logger = silentLogger()) {
    this.#queues = new QueueMetrics(this.registry, logger);
    collectDefaultMetrics({ register: this.registry, prefix: 'mealwise_worker_' });
    this.jobs = new Counter({
      name: 'mealwise_worker_jobs_total',
      help: 'Jobs by queue and outcome (succeeded, skipped, duplicate, failed, fallback_stale, fallback_rules, paused, retry)',
      labelNames: ['queue', 'outcome'],
      registers: [this.registry],
    });
    this.generationSeconds = new Histogram({
      name: 'mealwise_generation_duration_seconds',
      help: 'Time to generate one recommendation through Gemini, retries included',
      labelNames: ['model'],
      buckets: [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers: [this.registry],
    });
    this.geminiCalls = new Counter({
      name: 'mealwise_gemini_calls_total',
      help: 'Gemini API calls by model, HTTP-level status class and classified reason',
      labelNames: ['model', 'status', 'reason'],
      registers: [this.registry],
    });
    this.queuePaused = new Counter({
      name: 'mealwise_worker_queue_pauses_total',
      help: 'Times this process paused recs-user for lack of Gemini capacity, by reason',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.batchUsers = new Gauge({
      name: 'mealwise_batch_users',
      help: 'Users of the latest batch run by state (total, enqueued, succeeded, skipped, failed, fallback)',
      labelNames: ['run_id', 'state'],
      registers: [this.registry],
    });
    this.batchFinished = new Gauge({
      name: 'mealwise_batch_finished_timestamp_seconds',
      help: 'When the latest batch run finished (0 while it runs)',
      labelNames: ['run_id'],
      registers: [this.registry],
    });
  }

  /** Runs `fn` before every scrape (gauges read from Redis: key pool, latest run). */
  onCollect(fn: () => Promise<void>): void {
    this.#collectors.push(fn);
  }

  /** Appends BullMQ's own job counts (`bullmq_job_count{queue,state}`) for these queues. */
  exportQueues(...queues: QueueMetricsSource[]): void {
    this.#queues.add(...queues);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.#collectors.map((fn) => fn()));
    const own = await this.registry.metrics();
    return `${own}${await this.#queues.render()}`;
  }

  /** Serves `/metrics` (and `/healthz`) on 127.0.0.1 or all interfaces; `port` 0 picks a free one. */
  async listen(port: number, host = '0.0.0.0'): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url === '/metrics') {
        this.render().then(
          (body) => {
            res.writeHead(200, { 'content-type': this.registry.contentType });
            res.end(body);
          },
          (err: Error) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics unavailable: ${err.message}\n`);
          },
        );
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ok"}');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"not_found","message":"only /metrics and /healthz here"}}');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server;
  }
}
