import type { RunSummary, RunSummaryStore } from '@mealwise/jobs';
import type { KeyPool, PoolStatus } from '@mealwise/key-pool';
import cliProgress from 'cli-progress';

/** POST /v1/admin/batches: the same call an operator's tooling makes. */
export async function startBatch(apiUrl: string, adminToken: string): Promise<string> {
  const res = await fetch(`${apiUrl}/v1/admin/batches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { run_id?: string; error?: { message: string } };
  if (res.status !== 202 || !body.run_id) {
    throw new Error(
      `POST /v1/admin/batches answered ${res.status}: ${body.error?.message ?? JSON.stringify(body)}`,
    );
  }
  return body.run_id;
}

const done = (s: RunSummary) => s.succeeded + s.skipped + s.failed;

/** "Gemini 58/120 in the last 60 s · waiting for quota, next slot in 31 s". */
export function pacingLine(status: PoolStatus): string {
  const perProject = new Map<string, { used: number; available: boolean; availableAt: number | null }>();
  for (const key of status.keys) {
    for (const m of key.models) {
      if (m.model !== status.keys[0]?.models[0]?.model) continue;
      const p = perProject.get(key.project) ?? { used: 0, available: false, availableAt: null };
      // Keys of one project share its quota: the project's usage is any of its keys' usage.
      p.used = Math.max(p.used, m.usedLastMinute);
      if (key.state !== 'invalid') {
        p.available ||= m.state === 'available';
        if (m.availableAt !== null) p.availableAt = Math.min(p.availableAt ?? m.availableAt, m.availableAt);
      }
      perProject.set(key.project, p);
    }
  }
  const projects = [...perProject.values()];
  const used = projects.reduce((a, p) => a + p.used, 0);
  const limit = projects.length * status.limits.requestsPerMinute;
  let line = `Gemini ${used}/${limit} req in the last 60 s`;
  if (!projects.some((p) => p.available)) {
    const next = Math.min(...projects.map((p) => p.availableAt ?? Number.POSITIVE_INFINITY));
    line += Number.isFinite(next)
      ? ` · quota used up, next slot in ${Math.max(0, Math.ceil((next - status.now) / 1000))} s`
      : ' · no capacity';
  }
  return line;
}

export interface WatchOptions {
  runs: RunSummaryStore;
  pool: KeyPool;
  runId: string;
  /** Redraw a progress bar (terminal) or print a line every few seconds (CI, pipes). */
  interactive: boolean;
  timeoutMs: number;
  write: (s: string) => void;
  /** Rejects when a child process died: the wait ends at once. */
  failure: Promise<never>;
}

/** Waits for the run to finish, showing progress and the key pool's pacing. */
export async function watchRun(o: WatchOptions): Promise<RunSummary> {
  const started = Date.now();
  const bar = o.interactive
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format:
            'batch [{bar}] {percentage}% | {value}/{total} users | ok {ok} · failed {failed} | {pacing}',
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let lastLine = 0;
  let barStarted = false;
  try {
    for (;;) {
      const [summary, status] = await Promise.race([
        Promise.all([o.runs.get(o.runId), o.pool.status().catch(() => null)]),
        o.failure,
      ]);
      const pacing = status ? pacingLine(status) : '';
      if (summary) {
        const total = Math.max(summary.enqueued, summary.fanout_finished_at ? 0 : summary.total);
        const payload = { ok: summary.succeeded + summary.skipped, failed: summary.failed, pacing };
        if (bar) {
          if (!barStarted) bar.start(Math.max(total, 1), done(summary), payload);
          barStarted = true;
          bar.setTotal(Math.max(total, 1));
          bar.update(done(summary), payload);
        } else if (Date.now() - lastLine >= 5_000 || summary.finished_at) {
          lastLine = Date.now();
          o.write(
            `batch ${o.runId}: ${done(summary)}/${total} users done (ok ${payload.ok}, failed ${payload.failed}) | ${pacing}\n`,
          );
        }
        if (summary.finished_at) return summary;
      }
      if (Date.now() - started > o.timeoutMs) {
        throw new Error(`run ${o.runId} did not finish within ${o.timeoutMs / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    bar?.stop();
  }
}
