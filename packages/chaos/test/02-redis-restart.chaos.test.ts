// Scenario 2 — Redis restart: the suite's own redis-server (AOF, appendfsync everysec) is stopped
// mid-batch — once gracefully (SIGTERM), once as a crash (SIGKILL) — and started again on the
// same port and data. Two workers and the API must reconnect
// by themselves (nobody restarts them) and the batch must complete with every user accounted for.
// Meanwhile the API answers 503 (never 500, never a hang) and 200 again once Redis is back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Stack, startStack } from '../src/harness/index.ts';
import { recordScenario } from '../src/report.ts';
import { type Probe, probe as probeApi } from './support/probe.ts';
import {
  batchUnderWay,
  expectNoSecrets,
  expectSound,
  invariantColumns,
  tearDown,
  waitForProgress,
  waitUntil,
} from './support/scenario.ts';

const USERS = 1_000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    name: '02-redis-restart',
    users: USERS,
    emulator: { latency: { baseMs: 150, jitterMs: 100 } },
    env: { WORKER_CONCURRENCY: 8, WORKER_JOB_TIMEOUT_MS: 8_000, WORKER_STALLED_INTERVAL_MS: 1_000 },
  });
}, 180_000);

afterAll(() => tearDown(stack), 60_000);

describe('02 redis restart', () => {
  it('Redis restarted (SIGTERM) and crashed (SIGKILL) mid-batch: workers and API reconnect alone, the batch completes', async () => {
    // The hit user's record was written before the outage: the API's cache hit during and after it.
    const { api, auth, t0, runId, hitTgid } = await batchUnderWay(stack);

    // Probe the API all along: a hit and /readyz every 100 ms.
    const probes: { rec: Probe[]; ready: Probe[] } = { rec: [], ready: [] };
    let probing = true;
    const probe = (path: string, into: Probe[], headers: Record<string, string> = {}) =>
      probeApi(stack, api.url, path, into, { headers, timeoutMs: 5_000, note: (status) => status >= 500 });
    const prober = (async () => {
      while (probing) {
        await Promise.all([
          probe(`/v1/users/${hitTgid}/recommendations`, probes.rec, auth),
          probe('/readyz', probes.ready),
        ]);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    // Two outages in one batch: at 30 % a restart (SIGTERM: Redis fsyncs the AOF, 5 s down), at
    // 65 % a crash (SIGKILL: up to a second of writes may be lost, as appendfsync everysec allows;
    // 2 s down). Each: time until the batch counts a user again and the API answers 200 again.
    const outages: {
      signal: 'SIGTERM' | 'SIGKILL';
      downAt: number;
      upAt: number;
      batchBackMs: number;
      apiBackMs: number;
    }[] = [];
    for (const [at, signal, downMs] of [
      [0.3, 'SIGTERM', 5_000],
      [0.65, 'SIGKILL', 2_000],
    ] as const) {
      await waitForProgress(stack, runId, at, 120_000);
      const before = await stack.runs.get(runId);
      const countedBefore = before!.succeeded + before!.failed + before!.skipped;
      const downAt = Date.now();
      await stack.redisServer.stopServer(signal);
      await new Promise((r) => setTimeout(r, downMs));
      await stack.redisServer.startServer();
      const upAt = Date.now();
      await waitUntil(async () => {
        const s = await stack.runs.get(runId);
        return s !== null && s.succeeded + s.failed + s.skipped > countedBefore;
      }, 60_000);
      const batchBackMs = Date.now() - upAt;
      await waitUntil(() => probes.rec.some((p) => p.t >= upAt && p.status === 200), 30_000);
      const apiBackMs = probes.rec.find((p) => p.t >= upAt && p.status === 200)!.t - upAt;
      outages.push({ signal, downAt, upAt, batchBackMs, apiBackMs });
    }

    const summary = await stack.waitForRun(runId, { timeoutMs: 120_000 });
    const durationMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 500));
    probing = false;
    await prober;

    const inv = await stack.checkInvariants(runId);
    expectSound(inv, USERS);
    expect(summary.total).toBe(USERS);

    const all = [...probes.rec, ...probes.ready];
    const during: Probe[] = [];
    for (const o of outages) {
      // The API while Redis was down: 503 (a dependency is down), never a 500 or a hang.
      const d = all.filter((p) => p.t >= o.downAt + 500 && p.t < o.upAt);
      expect(d.length).toBeGreaterThan(5);
      expect(d.map((p) => p.status).filter((st) => st !== 503)).toEqual([]);
      during.push(...d);
      // …and 200 again without anyone restarting it, for good.
      const next = outages.find((x) => x.downAt > o.downAt)?.downAt ?? Number.POSITIVE_INFINITY;
      const after = probes.rec.filter((p) => p.t >= o.upAt + o.apiBackMs && p.t < next);
      expect(after.length).toBeGreaterThan(0);
      expect(after.map((p) => p.status).filter((st) => st !== 200)).toEqual([]);
    }
    expect(Math.max(...during.map((p) => p.ms))).toBeLessThan(3_000);
    const fiveXx = all.filter((p) => p.status >= 500 && p.status !== 503).length;
    expect(fiveXx).toBe(0);
    expect(all.filter((p) => p.status === 0)).toEqual([]);
    // Logs stay JSON lines through the outages (no raw stack traces on stderr).
    for (const p of [...stack.workers, api]) {
      expect(p.lines.filter((l) => l.trim() !== '' && !l.startsWith('{')).slice(0, 3)).toEqual([]);
    }
    // Nobody was restarted: the same processes, alive.
    expect(stack.workers.every((w) => !w.dead)).toBe(true);
    expect(api.dead).toBe(false);
    // The AOF kept what was written before the stops: the hit user's record is still there.
    expect(await stack.redis.exists(`${stack.recordPrefix}${hitTgid}`)).toBe(1);

    const secretHits = await expectNoSecrets(stack);
    recordScenario({
      id: '02-redis-restart',
      title:
        'Redis restarted and crashed (own redis-server, AOF everysec) mid-batch; workers and API reconnect by themselves',
      users: USERS,
      succeeded: inv.gemini,
      ...invariantColumns(inv),
      recoveryMs: Math.max(...outages.map((o) => Math.max(o.batchBackMs, o.apiBackMs))),
      fiveXx,
      durationMs,
      secretHits,
      extra: {
        ...Object.fromEntries(
          outages.flatMap((o) => {
            const what = o.signal === 'SIGTERM' ? 'restart (SIGTERM)' : 'crash (SIGKILL)';
            return [
              [`Redis ${what}: down`, `${((o.upAt - o.downAt) / 1000).toFixed(1)} s`],
              [`Redis ${what}: batch counts again after`, `${o.batchBackMs} ms`],
              [`Redis ${what}: API 200 on a hit again after`, `${o.apiBackMs} ms`],
            ];
          }),
        ),
        'API 503 answers while Redis was down': during.length,
        'slowest API answer while Redis was down': `${Math.max(...during.map((p) => p.ms))} ms`,
        'Gemini answers not stored at the first try (job retried)': inv.acceptedAnswers - inv.generations,
      },
      notes:
        'Two outages in one batch: a restart (SIGTERM) at 30 % and a crash (SIGKILL) at 65 %. Recovery is ' +
        'the worst of: the first user counted by the batch and the first 200 from the API, measured from ' +
        'the moment Redis accepts connections again. 5xx counts API answers other than the 503s expected ' +
        'while Redis is down.',
    });
  }, 240_000);
});
