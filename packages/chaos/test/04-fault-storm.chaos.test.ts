// Scenario 4 — Gemini fault storm: the emulator answers 20 % of calls with 503, leaves 5 %
// hanging, garbles 5 % and blocks 2 % for SAFETY, for the whole batch, with two workers. Every
// user must still end with a record (`gemini`, or `stale`/`rules` only where Gemini really failed
// them), the summary must add up, nobody is generated twice, the emulator sees no overrun — and
// none of those failures may be held against a key: no key invalid, cooling or exhausted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecommendationCache, type RecommendationRecord } from '@mealwise/recs';
import { logLines, MODEL, type Stack, startStack } from '../src/harness/index.ts';
import { recordScenario } from '../src/report.ts';
import { geminiCallCounts } from './support/gemini-metrics.ts';
import { adminKeyPool } from './support/key-pool.ts';
import { expectNoSecrets, expectSound, invariantColumns, tearDown } from './support/scenario.ts';

const ID = '04-fault-storm';
const USERS = 1_000;
const WORKERS = 2;
const CONCURRENCY = 16;
/** A hang lasts exactly this long for the client: short, so the storm fits in the time budget. */
const TIMEOUT_MS = 1_500;
const RATES = { unavailable: 0.2, hang: 0.05, malformed: 0.05, safety: 0.02 };

let stack: Stack;

/** Yesterday's record, for the users who have one: a failure must keep it (marked stale). */
const yesterday = (tgid: number): RecommendationRecord => ({
  summary: `Вчерашняя сводка для ${tgid}.`,
  tips: ['Вчерашний совет.', 'Ещё один вчерашний совет.'],
  stats: {
    orders_count: 6,
    categories: { soup: 0.5, salad: 0.1, main: 0.3, extra: 0.1 },
    unique_dishes: 4,
    total_dishes_available: 40,
    favorite_dishes: [{ name: 'Борщ', count: 3 }],
    untried_dishes: [],
  },
  generated_at: new Date(Date.now() - 86_400_000).toISOString(),
  model: MODEL,
  source: 'gemini',
  stats_hash: `yesterday-${tgid}`,
});

beforeAll(async () => {
  stack = await startStack({
    name: ID,
    users: USERS,
    emulator: { faults: { rates: RATES } },
    env: {
      GEMINI_TIMEOUT_MS: TIMEOUT_MS,
      WORKER_CONCURRENCY: CONCURRENCY,
      WORKER_RETRY_DELAY_MS: 500,
    },
  });
  for (let i = 0; i < WORKERS; i++) await stack.startWorker();
}, 90_000);

afterAll(() => tearDown(stack), 60_000);

describe('Gemini fault storm (20 % 503, 5 % hangs, 5 % malformed, 2 % SAFETY)', () => {
  it('every user accounted for, nobody generated twice, no key held responsible', async () => {
    const { tgids } = stack;
    // Every other user has yesterday's record: where Gemini fails them for good it must be kept
    // (stale); the others get rules-based advice.
    const cache = new RecommendationCache({
      redis: stack.redis,
      ttlSeconds: 3 * 86_400,
      keyPrefix: stack.recordPrefix,
    });
    const hadRecord = new Set(tgids.filter((_, i) => i % 2 === 0));
    for (const t of hadRecord) await cache.put(t, yesterday(t));

    const t0 = Date.now();
    const runId = await stack.triggerBatch();
    const summary = await stack.waitForRun(runId, { timeoutMs: 60_000 });
    const durationMs = Date.now() - t0;

    const inv = await stack.checkInvariants(runId);
    expectSound(inv, USERS, { other: 0 });
    expect(inv.gemini + inv.stale + inv.rules).toBe(USERS);

    // The storm happened at the configured rates (±5 points on ~1,400 calls).
    const stats = await stack.emulator.stats();
    const calls = Object.values(stats.byKey).reduce((a, b) => a + b, 0);
    const r = stats.byReason;
    expect(calls).toBeGreaterThan(USERS);
    expect((r.UNAVAILABLE ?? 0) / calls).toBeGreaterThan(0.15);
    expect((r.UNAVAILABLE ?? 0) / calls).toBeLessThan(0.25);
    for (const kind of ['hang', 'malformed', 'safety']) expect(r[kind] ?? 0).toBeGreaterThan(0);
    // Every hung request was given up by the client (timeout) and its socket released.
    expect(stats.hanging).toBe(0);

    // Every 200 `ok` became exactly one stored Gemini record of this run: no answer was thrown
    // away and regenerated, no user was generated twice.
    expect(inv.okCalls).toBe(inv.gemini);
    expect(inv.generations).toBe(inv.gemini);
    expect(inv.acceptedAnswers).toBe(inv.gemini);

    // Fallbacks only where Gemini truly failed: each such user has a "failed for good" line saying
    // why (two unusable answers, or transient failures through every attempt), and the fallback
    // kind follows from whether the user had a record before.
    const lines = stack.workers.flatMap((w) => logLines(w.lines));
    const gaveUp = lines.filter(
      (l) => l.message === 'generation failed for good; fallback written' && l.runId === runId,
    );
    expect(gaveUp).toHaveLength(summary.failed);
    expect(new Set(gaveUp.map((l) => l.tgid)).size).toBe(summary.failed);
    for (const l of gaveUp) {
      expect(['invalid_answer', 'transient']).toContain(l.reason);
      expect(l.fallback).toBe(hadRecord.has(Number(l.tgid)) ? 'stale' : 'rules');
    }
    expect(summary.fallback_stale + summary.fallback_rules).toBe(summary.failed);

    // No failure was held against a key: 5xx, timeouts, garbled and blocked answers are neutral
    // (or a success: the key did its job) for the pool.
    const failedCalls = lines.filter((l) => l.message === 'gemini call failed');
    expect(failedCalls.length).toBeGreaterThan(0);
    for (const l of failedCalls) {
      expect(['TRANSIENT', 'INVALID_ANSWER']).toContain(l.code);
      expect(['neutral', 'success']).toContain(l.outcome);
    }
    expect(await stack.redis.lrange(`${stack.poolPrefix}rotation_log`, 0, -1)).toEqual([]);
    const poolKeys = await stack.redis.keys(`${stack.poolPrefix}*`);
    expect(poolKeys.filter((k) => /:(invalid|cooldown|exhausted):/.test(k))).toEqual([]);
    const cli = await stack.cli(['pool', 'status', '--json']);
    expect(cli.code).toBe(0);
    const status = JSON.parse(cli.stdout) as {
      keys: {
        fingerprint: string;
        state: string;
        invalid: unknown;
        models: { cooldownUntil: unknown; usedToday: number }[];
      }[];
    };
    // Every call the emulator saw was admitted by the pool (one project per key here): no retry
    // happened behind its back (the SDK's own retries are off), none was missed.
    expect(status.keys.reduce((a, k) => a + k.models[0]!.usedToday, 0)).toBe(calls);
    expect(status.keys.map((k) => k.fingerprint).sort()).toEqual(stack.keys.map((k) => k.fingerprint).sort());
    for (const k of status.keys) {
      expect(k).toMatchObject({ state: 'available', invalid: null });
      for (const m of k.models) expect(m.cooldownUntil).toBeNull();
    }

    // The workers' key-pool gauges agree: every key available.
    const metrics = await fetch(`http://127.0.0.1:${stack.workers[0]!.metricsPort}/metrics`).then((res) =>
      res.text(),
    );
    const states = metrics
      .split('\n')
      .filter((l) => l.startsWith('mealwise_key_pool_key_state{') && l.endsWith(' 1'))
      .map((l) => /state="(\w+)"/.exec(l)?.[1]);
    expect(states).toEqual(stack.keys.map(() => 'available'));

    // The workers' call counters (both processes) classify every fault as the emulator served it.
    expect(await geminiCallCounts(stack.workers)).toEqual({
      'ok/ok': r.ok,
      'TRANSIENT/server': r.UNAVAILABLE,
      'TRANSIENT/timeout': r.hang,
      'INVALID_ANSWER/json': r.malformed,
      'INVALID_ANSWER/safety': r.safety,
    });

    // And the API's admin view of the pool.
    const body = await adminKeyPool(stack);
    const viaApi = JSON.parse(body) as { keys: { fingerprint: string; state: string; invalid: unknown }[] };
    expect(viaApi.keys.map((k) => [k.state, k.invalid])).toEqual(stack.keys.map(() => ['available', null]));

    const secretHits = await expectNoSecrets(stack);

    recordScenario({
      id: ID,
      title: 'Gemini fault storm',
      users: USERS,
      succeeded: inv.gemini,
      ...invariantColumns(inv),
      recoveryMs: null,
      fiveXx: (stats.byStatus['503'] ?? 0) + (stats.byStatus['500'] ?? 0),
      durationMs,
      secretHits,
      extra: {
        geminiCalls: calls,
        unavailable503: r.UNAVAILABLE ?? 0,
        hangs: r.hang ?? 0,
        malformed: r.malformed ?? 0,
        safety: r.safety ?? 0,
        keysInvalidOrCooling: 0,
      },
      notes:
        `${WORKERS} workers × ${CONCURRENCY} jobs, GEMINI_TIMEOUT_MS ${TIMEOUT_MS} (a hang costs that long), ` +
        `half the users with yesterday's record; 5xx = the emulator's injected 503s`,
    });
  }, 90_000);
});
