import type { RunSummaryStore } from '@mealwise/jobs';
import type { KeyPool } from '@mealwise/key-pool';
import { Gauge } from 'prom-client';
import type { WorkerMetrics } from './metrics.ts';

// Gauges read from Redis on each scrape: what every process of the fleet sees, not this one's view.

const poolGauges = new WeakMap<WorkerMetrics, ReturnType<typeof makePoolGauges>>();

function makePoolGauges(m: WorkerMetrics) {
  const registers = [m.registry];
  return {
    usedToday: new Gauge({
      name: 'mealwise_key_pool_requests_today',
      help: "Requests admitted this quota day for the key's project and model",
      labelNames: ['fingerprint', 'project', 'model'],
      registers,
    }),
    usedMinute: new Gauge({
      name: 'mealwise_key_pool_requests_last_minute',
      help: "Requests admitted in the last 60 s for the key's project and model",
      labelNames: ['fingerprint', 'project', 'model'],
      registers,
    }),
    limit: new Gauge({
      name: 'mealwise_key_pool_limit',
      help: 'Configured limit per project and model (window: day or minute)',
      labelNames: ['window'],
      registers,
    }),
    state: new Gauge({
      name: 'mealwise_key_pool_key_state',
      help: 'Key state (1 for the current state)',
      labelNames: ['fingerprint', 'project', 'state'],
      registers,
    }),
    capacity: new Gauge({
      name: 'mealwise_key_pool_capacity_left_today',
      help: 'Requests left today over every available project, per model',
      labelNames: ['model'],
      registers,
    }),
    reset: new Gauge({
      name: 'mealwise_key_pool_seconds_to_reset',
      help: 'Seconds until the next quota day (Pacific midnight)',
      registers,
    }),
  };
}

const STATES = ['available', 'cooling', 'exhausted', 'invalid'] as const;

export async function collectPoolMetrics(m: WorkerMetrics, pool: KeyPool): Promise<void> {
  let g = poolGauges.get(m);
  if (!g) {
    g = makePoolGauges(m);
    poolGauges.set(m, g);
  }
  const s = await pool.status();
  g.usedToday.reset();
  g.usedMinute.reset();
  g.state.reset();
  g.capacity.reset();
  g.limit.set({ window: 'day' }, s.limits.requestsPerDay);
  g.limit.set({ window: 'minute' }, s.limits.requestsPerMinute);
  for (const k of s.keys) {
    for (const state of STATES)
      g.state.set({ fingerprint: k.fingerprint, project: k.project, state }, k.state === state ? 1 : 0);
    for (const u of k.models) {
      g.usedToday.set({ fingerprint: k.fingerprint, project: k.project, model: u.model }, u.usedToday);
      g.usedMinute.set({ fingerprint: k.fingerprint, project: k.project, model: u.model }, u.usedLastMinute);
    }
  }
  for (const [model, left] of Object.entries(s.capacityLeftToday)) g.capacity.set({ model }, left);
  g.reset.set(Math.max(0, (s.nextReset - s.now) / 1000));
}

export async function collectRunMetrics(m: WorkerMetrics, runs: RunSummaryStore): Promise<void> {
  const runId = await runs.latestRunId();
  const s = runId ? await runs.get(runId) : null;
  m.batchUsers.reset();
  m.batchFinished.reset();
  if (!s) return;
  for (const state of ['total', 'enqueued', 'succeeded', 'skipped', 'failed', 'fallback'] as const) {
    m.batchUsers.set({ run_id: s.run_id, state }, s[state]);
  }
  m.batchFinished.set({ run_id: s.run_id }, s.finished_at ? Date.parse(s.finished_at) / 1000 : 0);
}
