// Scenario 3 — PostgreSQL outage: the workers and the API reach PostgreSQL through a TCP proxy
// the suite controls. Mid-batch it becomes unreachable for 20 s, twice: once with every open
// connection cut and new ones accepted but never answered, once dropping packets (open
// connections freeze mid-query, new ones hang) — the two faces of a blocked port. Jobs must retry and complete; the
// API keeps answering — 200 on a cache hit (Redis only), 503 on a miss (the live stats are out
// of reach) — quickly, never a 500 or a hang.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Stack, startStack } from '../src/harness/index.ts';
import { recordScenario } from '../src/report.ts';
import { type Probe, probe as probeApi } from './support/probe.ts';
import {
  batchUnderWay,
  expectNoSecrets,
  expectSound,
  invariantColumns,
  lastWithoutRecord,
  tearDown,
  waitForProgress,
  waitUntil,
} from './support/scenario.ts';

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

afterAll(() => tearDown(stack), 60_000);

interface Outage {
  mode: 'blackhole' | 'drop';
  hit: Probe[];
  miss: Probe[];
  ready: Probe[];
  cutAt: number;
  restoredAt: number;
  countedDuring: number;
  recoveryMs: number;
  apiBackMs: number;
}

describe('03 postgres outage', () => {
  it('PostgreSQL unreachable for 20 s mid-batch (twice: cut, dropped): jobs retry and complete; API 200 on a hit, 503 on a miss', async () => {
    // The hit user's record was written before the outage: the API's cache hit during and after it.
    const { api, auth, t0, runId, hitTgid } = await batchUnderWay(stack);

    const probe = (path: string, into: Probe[], headers: Record<string, string> = {}) =>
      probeApi(stack, api.url, path, into, { headers, timeoutMs: 10_000, note: () => true });
    const counted = async () => {
      const s = await stack.runs.get(runId);
      return s ? s.succeeded + s.failed + s.skipped : 0;
    };

    // Two 20 s outages in one batch: at 25 % the open connections are cut and new ones hang
    // (`blackhole`), at 60 % packets are dropped (`drop`: open connections freeze mid-query and
    // resume when the path heals, new ones hang).
    const outages: Outage[] = [];
    for (const [at, mode] of [
      [0.25, 'blackhole'],
      [0.6, 'drop'],
    ] as const) {
      await waitForProgress(stack, runId, at, 150_000);
      const missTgid = await lastWithoutRecord(stack);
      const o: Outage = {
        mode,
        hit: [],
        miss: [],
        ready: [],
        cutAt: 0,
        restoredAt: 0,
        countedDuring: 0,
        recoveryMs: 0,
        apiBackMs: 0,
      };
      const countedBefore = await counted();
      o.cutAt = Date.now();
      await stack.pgProxy!.cut(mode);
      // Probe while PostgreSQL is away (a second for the cut to reach every pooled connection).
      await new Promise((r) => setTimeout(r, 1_000));
      while (Date.now() - o.cutAt < OUTAGE_MS - 1_500) {
        await Promise.all([
          probe(`/v1/users/${hitTgid}/recommendations`, o.hit, auth),
          probe(`/v1/users/${missTgid}/recommendations`, o.miss, auth),
          probe('/readyz', o.ready),
        ]);
        await new Promise((r) => setTimeout(r, 250));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - o.cutAt))));
      const countedMid = await counted();
      o.countedDuring = countedMid - countedBefore;
      await stack.pgProxy!.restore();
      o.restoredAt = Date.now();
      // Recovery: the first user counted after PostgreSQL is back; the API ready again.
      await waitUntil(async () => (await counted()) > countedMid, 90_000);
      o.recoveryMs = Date.now() - o.restoredAt;
      await waitUntil(async () => (await fetch(`${api.url}/readyz`)).status === 200, 30_000);
      o.apiBackMs = Date.now() - o.restoredAt;
      outages.push(o);
    }

    const summary = await stack.waitForRun(runId, { timeoutMs: 150_000 });
    const durationMs = Date.now() - t0;
    const finishedAfterRestoreMs = Date.parse(summary.finished_at!) - outages.at(-1)!.restoredAt;

    const inv = await stack.checkInvariants(runId);
    expectSound(inv, USERS, { stale: 0, rules: 0 });
    // Jobs retried and completed: nobody fell back for a 20 s outage.
    expect(summary).toMatchObject({ total: USERS, succeeded: USERS, failed: 0 });
    const retried = workerLines('user job failed; will retry').length;
    expect(retried).toBeGreaterThan(0);

    const all: Probe[] = [];
    for (const o of outages) {
      // The batch did stall while PostgreSQL was away (the outage really hit it).
      expect(o.countedDuring).toBeLessThan(USERS * 0.1);
      // Meanwhile: a hit is 200 (Redis only), a miss is 503, /readyz is 503 — all fast.
      expect(o.hit.length).toBeGreaterThan(10);
      expect(o.hit.map((p) => p.status).filter((st) => st !== 200)).toEqual([]);
      expect(o.miss.map((p) => p.status).filter((st) => st !== 503)).toEqual([]);
      expect(o.ready.map((p) => p.status).filter((st) => st !== 503)).toEqual([]);
      all.push(...o.hit, ...o.miss, ...o.ready);
    }
    const slowest = Math.max(...all.map((p) => p.ms));
    expect(slowest).toBeLessThan(5_000);
    const fiveXx = all.filter((p) => p.status >= 500 && p.status !== 503).length;
    expect(fiveXx).toBe(0);
    // Every process survived on its own.
    expect([...stack.workers, api].every((p) => !p.dead)).toBe(true);

    const secretHits = await expectNoSecrets(stack);
    recordScenario({
      id: '03-postgres-outage',
      title: 'PostgreSQL unreachable for 20 s mid-batch, twice (TCP proxy: connections cut; packets dropped)',
      users: USERS,
      succeeded: inv.gemini + inv.fresh,
      ...invariantColumns(inv),
      recoveryMs: Math.max(...outages.map((o) => o.recoveryMs)),
      fiveXx,
      durationMs,
      secretHits,
      extra: {
        ...Object.fromEntries(
          outages.flatMap((o) => [
            [`${o.mode}: outage`, `${((o.restoredAt - o.cutAt) / 1000).toFixed(1)} s`],
            [`${o.mode}: users counted during it`, o.countedDuring],
            [
              `${o.mode}: API hit / miss / readyz`,
              `${o.hit.length} × 200 / ${o.miss.length} × 503 / ${o.ready.length} × 503`,
            ],
            [`${o.mode}: first user counted after restore`, `${o.recoveryMs} ms`],
            [`${o.mode}: API ready again after restore`, `${o.apiBackMs} ms`],
          ]),
        ),
        'job attempts retried (database errors)': retried,
        'slowest API answer during the outages': `${slowest} ms`,
        'batch finished after the last restore': `${(finishedAfterRestoreMs / 1000).toFixed(1)} s`,
      },
      notes:
        'Two 20 s outages in one batch: `blackhole` (open connections cut, new ones never answered) at 25 %, ' +
        '`drop` (packets dropped: open connections freeze, new ones never answered) at 60 %. Recovery: the ' +
        'worst, from a restore to the first user counted by the batch. Jobs caught by an outage fail their ' +
        'attempt (connection reset, or the 5 s connect timeout) and come back after the backoff, so the ' +
        'batch resumes in steps.',
    });
  }, 240_000);
});

function workerLines(message: string): unknown[] {
  return stack.workers.flatMap((w) => w.lines.filter((l) => l.includes(`"message":"${message}"`)));
}
