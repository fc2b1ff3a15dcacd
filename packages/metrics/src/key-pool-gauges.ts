import type { KeyState, PoolStatus } from '@mealwise/key-pool';
import type { Logger } from '@mealwise/logging';
import { Gauge, type Registry } from 'prom-client';

/** Where the gauges read the pool's state (a `KeyPool`). */
export interface PoolStatusReader {
  status(): Promise<PoolStatus>;
}

const STATES: readonly KeyState[] = ['available', 'cooling', 'exhausted', 'invalid'];
const KEY_LABELS = ['fingerprint', 'project', 'model'] as const;

/**
 * Key-pool gauges, refreshed from `KeyPool.status()` when Prometheus scrapes — at most once per
 * `cacheMs`, so several scrapers (or a reloading dashboard) cost one Redis read. Keys appear by
 * fingerprint only.
 */
export class KeyPoolGauges {
  readonly #pool: PoolStatusReader;
  readonly #cacheMs: number;
  #readAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | null = null;

  readonly #up: Gauge;
  readonly #usedToday: Gauge<(typeof KEY_LABELS)[number]>;
  readonly #usedMinute: Gauge<(typeof KEY_LABELS)[number]>;
  readonly #usageRatio: Gauge<(typeof KEY_LABELS)[number]>;
  readonly #state: Gauge<(typeof KEY_LABELS)[number] | 'state'>;
  readonly #cooldown: Gauge<(typeof KEY_LABELS)[number]>;
  readonly #limitDay: Gauge;
  readonly #limitMinute: Gauge;
  readonly #capacity: Gauge<'model'>;
  readonly #toReset: Gauge;

  constructor(registry: Registry, pool: PoolStatusReader, cacheMs: number) {
    this.#pool = pool;
    this.#cacheMs = cacheMs;
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name: `mealwise_key_pool_${name}`, help, labelNames, registers: [registry] });
    this.#up = gauge('up', '1 when the key-pool state was read from Redis');
    this.#usedToday = gauge(
      'requests_today',
      'admissions this quota day (per project and model)',
      KEY_LABELS,
    );
    this.#usedMinute = gauge(
      'requests_last_minute',
      'admissions in the last 60 s (per project and model)',
      KEY_LABELS,
    );
    this.#usageRatio = gauge('usage_ratio', 'requests_today / the daily limit', KEY_LABELS);
    this.#state = gauge('key_state', '1 for the current state of a key for a model', [
      ...KEY_LABELS,
      'state',
    ]);
    this.#cooldown = gauge('cooldown_seconds', 'seconds until a cooling key is usable again', KEY_LABELS);
    this.#limitDay = gauge('limit_requests_per_day', 'GEMINI_MAX_REQUESTS_PER_KEY');
    this.#limitMinute = gauge('limit_requests_per_minute', 'GEMINI_MAX_REQUESTS_PER_MINUTE');
    this.#capacity = gauge('capacity_left_today', 'requests left today over every available project', [
      'model',
    ]);
    this.#toReset = gauge('seconds_to_reset', 'seconds until the quota day ends (Pacific midnight)');
  }

  refresh(logger: Logger): Promise<void> {
    if (Date.now() - this.#readAt < this.#cacheMs) return Promise.resolve();
    this.#pending ??= this.#pool
      .status()
      .then(
        (status) => {
          this.#set(status);
          this.#up.set(1);
        },
        (err: unknown) => {
          this.#up.set(0);
          logger.warn('key-pool status unavailable for metrics', { error: (err as Error).message });
        },
      )
      .finally(() => {
        this.#readAt = Date.now();
        this.#pending = null;
      });
    return this.#pending;
  }

  #set(status: PoolStatus): void {
    for (const g of [
      this.#usedToday,
      this.#usedMinute,
      this.#usageRatio,
      this.#state,
      this.#cooldown,
      this.#capacity,
    ]) {
      g.reset();
    }
    const perDay = status.limits.requestsPerDay;
    this.#limitDay.set(perDay);
    this.#limitMinute.set(status.limits.requestsPerMinute);
    this.#toReset.set(Math.max(0, (status.nextReset - status.now) / 1_000));
    for (const [model, left] of Object.entries(status.capacityLeftToday)) this.#capacity.set({ model }, left);
    for (const key of status.keys) {
      for (const usage of key.models) {
        const labels = { fingerprint: key.fingerprint, project: key.project, model: usage.model };
        this.#usedToday.set(labels, usage.usedToday);
        this.#usedMinute.set(labels, usage.usedLastMinute);
        this.#usageRatio.set(labels, perDay > 0 ? usage.usedToday / perDay : 0);
        this.#cooldown.set(
          labels,
          usage.cooldownUntil === null ? 0 : Math.max(0, (usage.cooldownUntil - status.now) / 1_000),
        );
        for (const state of STATES) this.#state.set({ ...labels, state }, usage.state === state ? 1 : 0);
      }
    }
  }
}
