import type { RunSummaryStore } from '@mealwise/jobs';
import type { WorkerMetrics } from './metrics.ts';

// The latest run's summary, read from Redis on each scrape: what the whole fleet did, not this process.

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
