// Scenario 3 — PostgreSQL outage: the workers and the API reach PostgreSQL through a TCP proxy
// the suite controls. Mid-batch it becomes unreachable for 20 s: every open connection is cut and
// new ones are accepted but never answered (a blocked port). Jobs must retry and complete; the
// API keeps answering — 200 on a cache hit (Redis only), 503 on a miss (the live stats are out
// of reach) — quickly, never a 500 or a hang.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { reapAll, type Stack, startStack } from '../src/harness/index.ts';
import { recordScenario } from '../src/report.ts';

const USERS = 1_000;
const OUTAGE_MS = 20_000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    name: '03-postgres-outage',
    users: USERS,
    pgProxy: true,
    emulator: { latency: { baseMs: 150, jitterMs: 100 } },
    env: {
      WORKER_CONCURRENCY: 8,
      WORKER_JOB_TIMEOUT_MS: 8_000,
      WORKER_STALLED_INTERVAL_MS: 1_000,
      // Backoff 5, 10, 20, 40 s (×0.5–1 jitter): the five attempts span more than the outage, as
      // the production default (30 s) does by far.
      WORKER_RETRY_DELAY_MS: 5_000,
    },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await reapAll();
}, 60_000);

interface Probe {
  t: number;
  status: number;
  ms: number;
}

describe('03 postgres outage', () => {
  it('PostgreSQL unreachable for 20 s mid-batch: jobs retry and complete; API 200 on a hit, 503 on a miss', async () => {
    const [api] = await Promise.all([stack.startApi(), stack.startWorker(), stack.startWorker()]);
    const auth = { authorization: `Bearer ${stack.tokens.api}` };
    const t0 = Date.now();
    const runId = await stack.triggerBatch();
    await waitUntil(async () => (await stack.progress(runId)) >= 0.3, 120_000);

    const hitTgid = await firstWithRecord();
    const missTgid = await lastWithoutRecord();

    const probes: { hit: Probe[]; miss: Probe[]; ready: Probe[] } = { hit: [], miss: [], ready: [] };
    const probe = async (path: string, into: Probe[], headers: Record<string, string> = {}) => {
      const t = Date.now();
      try {
        const res = await fetch(`${api!.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
        const body = await res.text();
        stack.noteText(`api ${path} ${res.status}`, body);
        into.push({ t, status: res.status, ms: Date.now() - t });
      } catch {
        into.push({ t, status: 0, ms: Date.now() - t });
      }
    };

    const before = await stack.runs.get(runId);
    const countedBefore = before!.succeeded + before!.failed + before!.skipped;
    const cutAt = Date.now();
    await stack.pgProxy!.cut('blackhole');
    // Probe while PostgreSQL is away (give the cut a second to reach every pooled connection).
    await new Promise((r) => setTimeout(r, 1_000));
    while (Date.now() - cutAt < OUTAGE_MS - 1_500) {
      await Promise.all([
        probe(`/v1/users/${hitTgid}/recommendations`, probes.hit, auth),
        probe(`/v1/users/${missTgid}/recommendations`, probes.miss, auth),
        probe('/readyz', probes.ready),
      ]);
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))));
    const midOutage = await stack.runs.get(runId);
    await stack.pgProxy!.restore();
    const restoredAt = Date.now();

    // Recovery: the first user counted after PostgreSQL is back.
    await waitUntil(async () => {
      const s = await stack.runs.get(runId);
      return (
        s !== null &&
        s.succeeded + s.failed + s.skipped > midOutage!.succeeded + midOutage!.failed + midOutage!.skipped
      );
    }, 90_000);
    const recoveryMs = Date.now() - restoredAt;
    // The API's miss answers 200 again (live stats back) — the hit never stopped.
    await waitUntil(async () => {
      const res = await fetch(`${api!.url}/readyz`);
      return res.status === 200;
    }, 30_000);
    const apiBackMs = Date.now() - restoredAt;

    const summary = await stack.waitForRun(runId, { timeoutMs: 150_000 });
    const durationMs = Date.now() - t0;
    const finishedAfterRestoreMs = Date.parse(summary.finished_at!) - restoredAt;

    const inv = await stack.checkInvariants(runId);
    expect(inv.problems).toEqual([]);
    expect(inv).toMatchObject({ users: USERS, missing: 0, duplicates: 0, overruns: 0, stale: 0, rules: 0 });
    // Jobs retried and completed: nobody fell back for a 20 s outage.
    expect(summary).toMatchObject({ total: USERS, succeeded: USERS, failed: 0 });
    // The batch did stall while PostgreSQL was away (the outage really hit it).
    expect(midOutage!.succeeded - countedBefore).toBeLessThan(USERS * 0.2);
    const retried = workerLines('user job failed; will retry').length;
    expect(retried).toBeGreaterThan(0);

    // Meanwhile: a hit is 200 (Redis only), a miss is 503, /readyz is 503 — all fast.
    expect(probes.hit.length).toBeGreaterThan(10);
    expect(probes.hit.map((p) => p.status).filter((s) => s !== 200)).toEqual([]);
    expect(probes.miss.map((p) => p.status).filter((s) => s !== 503)).toEqual([]);
    expect(probes.ready.map((p) => p.status).filter((s) => s !== 503)).toEqual([]);
    const slowest = Math.max(...[...probes.hit, ...probes.miss, ...probes.ready].map((p) => p.ms));
    expect(slowest).toBeLessThan(5_000);
    const fiveXx = [...probes.hit, ...probes.miss, ...probes.ready].filter(
      (p) => p.status >= 500 && p.status !== 503,
    ).length;
    expect(fiveXx).toBe(0);
    // Every process survived on its own.
    expect([...stack.workers, api!].every((p) => !p.dead)).toBe(true);

    const hits = await stack.scanSecrets();
    expect(hits).toEqual([]);
    recordScenario({
      id: '03-postgres-outage',
      title:
        'PostgreSQL unreachable for 20 s mid-batch (TCP proxy: connections cut, new ones never answered)',
      users: USERS,
      succeeded: inv.gemini + inv.fresh,
      stale: inv.stale,
      rules: inv.rules,
      failed: inv.failed,
      missing: inv.missing,
      duplicates: inv.duplicates,
      overruns: inv.overruns,
      recoveryMs,
      fiveXx,
      durationMs,
      secretHits: hits.length,
      extra: {
        outage: `${((restoredAt - cutAt) / 1000).toFixed(1)} s`,
        'users counted during the outage':
          midOutage!.succeeded + midOutage!.failed + midOutage!.skipped - countedBefore,
        'job attempts retried (database errors)': retried,
        'API hit during the outage': `${probes.hit.length} × 200`,
        'API miss during the outage': `${probes.miss.length} × 503`,
        '/readyz during the outage': `${probes.ready.length} × 503`,
        'slowest API answer during the outage': `${slowest} ms`,
        'API ready again after restore': `${apiBackMs} ms`,
        'batch finished after restore': `${(finishedAfterRestoreMs / 1000).toFixed(1)} s`,
      },
      notes:
        'Recovery: from the restore to the first user counted by the batch. Jobs caught by the outage ' +
        'fail their attempt (connection reset, or the 5 s connect timeout) and come back after the backoff, ' +
        'so the batch resumes in steps.',
    });
  }, 240_000);
});

function workerLines(message: string): unknown[] {
  return stack.workers.flatMap((w) => w.lines.filter((l) => l.includes(`"message":"${message}"`)));
}

async function firstWithRecord(): Promise<number> {
  for (const t of stack.tgids) if (await stack.redis.exists(`${stack.recordPrefix}${t}`)) return t;
  throw new Error('no record yet');
}

async function lastWithoutRecord(): Promise<number> {
  for (const t of [...stack.tgids].reverse())
    if (!(await stack.redis.exists(`${stack.recordPrefix}${t}`))) return t;
  throw new Error('every user has a record already');
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
