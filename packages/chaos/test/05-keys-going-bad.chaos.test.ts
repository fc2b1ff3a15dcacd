// Scenario 5 — keys going bad mid-run: while two workers go through a batch, one key is revoked
// (400 API_KEY_INVALID), then a whole two-key project is suspended (403 CONSUMER_SUSPENDED), then
// another project's daily quota is used up behind the pool's back (429 per-day) — each by a
// config change at the emulator's admin endpoint. The two healthy projects must carry the batch:
// every user gets a Gemini record, no overrun, each bad key is reported exactly once, by its
// fingerprint, and no raw key shows up anywhere (logs, Redis, metrics, CLI and API output).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@mealwise/testing';
import { logLines, MODEL, type Stack, startStack } from '../src/harness/index.ts';
import { recordScenario } from '../src/report.ts';
import { geminiCallCounts } from './support/gemini-metrics.ts';
import { adminKeyPool } from './support/key-pool.ts';
import { expectNoSecrets, invariantColumns, tearDown } from './support/scenario.ts';

const ID = '05-keys-going-bad';
const USERS = 1_000;
const WORKERS = 2;
const CONCURRENCY = 8;
/** Fractions of the batch done when each key goes bad. */
const AT = { invalid: 0.2, suspended: 0.35, exhausted: 0.5 };

const key = () => `AIzaChaos${randomBytes(16).toString('hex')}`;
// pB has two keys: a suspended project takes both out, each discovered (and reported) by itself.
const KEYS = { pA: [key()], pB: [key(), key()], pC: [key()], pD: [key()], pE: [key()] };

let stack: Stack;

interface PoolStatusJson {
  keys: {
    fingerprint: string;
    project: string;
    state: string;
    invalid: { reason: string } | null;
    models: {
      model: string;
      state: string;
      blockedBy: string[];
      cooldownUntil: number | null;
      usedToday: number;
    }[];
  }[];
}

beforeAll(async () => {
  stack = await startStack({
    name: ID,
    users: USERS,
    keys: Object.entries(KEYS)
      .flatMap(([p, ks]) => ks.map((k) => `${p}:${k}`))
      .join(','),
    env: { WORKER_CONCURRENCY: CONCURRENCY },
  });
  for (let i = 0; i < WORKERS; i++) await stack.startWorker();
}, 90_000);

afterAll(() => tearDown(stack), 60_000);

describe('keys going bad mid-run (invalid key, suspended project, day quota used up)', () => {
  it('the rest of the pool carries the batch; each bad key reported once, by fingerprint', async () => {
    const fp = (k: string) => stack.keys.find((x) => x.key === k)!.fingerprint;
    const invalidFp = fp(KEYS.pA[0]!);
    const suspendedFps = KEYS.pB.map(fp);
    const exhaustedFp = fp(KEYS.pC[0]!);
    const healthyFps = [...KEYS.pD, ...KEYS.pE].map(fp);
    const badFps = [invalidFp, ...suspendedFps, exhaustedFp];

    const t0 = Date.now();
    const runId = await stack.triggerBatch();
    // Calls each bad key had served when its change reached the emulator (read right after it).
    const callsAtSwitch: Record<string, number> = {};
    const when = async (
      fraction: number,
      change: Parameters<Stack['emulator']['setConfig']>[0],
      fps: string[],
    ) => {
      await waitFor(async () => ((await stack.progress(runId)) >= fraction ? true : null), {
        timeoutMs: 60_000,
        intervalMs: 50,
        what: `${fraction * 100} % of the batch`,
      });
      await stack.emulator.setConfig(change);
      const { byKey } = await stack.emulator.stats();
      for (const f of fps) callsAtSwitch[f] = byKey[f] ?? 0;
    };
    await when(AT.invalid, { keys: { [KEYS.pA[0]!]: { project: 'pA', state: 'invalid' } } }, [invalidFp]);
    await when(AT.suspended, { projects: { pB: { state: 'suspended' } } }, suspendedFps);
    await when(AT.exhausted, { exhaust: [{ project: 'pC', model: MODEL, window: 'day' }] }, [exhaustedFp]);
    // Each bad key served its share until it went bad (the pool takes projects in turn).
    for (const f of badFps) expect(callsAtSwitch[f]).toBeGreaterThan(0);

    const summary = await stack.waitForRun(runId, { timeoutMs: 60_000 });
    const durationMs = Date.now() - t0;

    const inv = await stack.checkInvariants(runId);
    expect(inv.problems).toEqual([]);
    // The healthy projects carried everyone: no fallback was needed.
    expect(inv).toMatchObject({ users: USERS, gemini: USERS, stale: 0, rules: 0, failed: 0 });
    expect(summary).toMatchObject({ succeeded: USERS, failed: 0 });
    expect(inv).toMatchObject({ duplicates: 0, overruns: 0 });

    // What the emulator saw: each bad key was refused only for the calls already on their way
    // when it went bad (at most one per job slot, the revealing call among them); from then on
    // the pool kept it out of rotation.
    const stats = await stack.emulator.stats();
    const inFlight = WORKERS * CONCURRENCY;
    const after = (f: string) => (stats.byKey[f] ?? 0) - callsAtSwitch[f]!;
    const refused = {
      invalid: stats.byReason.API_KEY_INVALID ?? 0,
      suspended: stats.byReason.CONSUMER_SUSPENDED ?? 0,
      exhausted: inv.rateLimitedDay,
    };
    expect(refused.invalid).toBeGreaterThanOrEqual(1);
    expect(refused.invalid).toBeLessThanOrEqual(inFlight);
    expect(refused.suspended).toBeGreaterThanOrEqual(suspendedFps.length);
    expect(refused.suspended).toBeLessThanOrEqual(inFlight);
    expect(refused.exhausted).toBeGreaterThanOrEqual(1);
    expect(refused.exhausted).toBeLessThanOrEqual(inFlight);
    for (const f of badFps) expect(after(f)).toBeLessThanOrEqual(inFlight);
    expect(stats.byReason.ok).toBe(USERS);
    expect(stats.byStatus['503'] ?? 0).toBe(0);

    // The pool, as Redis has it: one transition per bad key, nothing against the healthy ones.
    const events = (await stack.redis.lrange(`${stack.poolPrefix}rotation_log`, 0, -1)).map(
      (e) => JSON.parse(e) as { event: string; fingerprint?: string; project: string; reason: string },
    );
    const summarize = events.map((e) => `${e.event} ${e.project} ${e.fingerprint ?? '-'} ${e.reason}`).sort();
    expect(summarize).toEqual(
      [
        `invalid pA ${invalidFp} API_KEY_INVALID`,
        ...suspendedFps.map((f) => `invalid pB ${f} CONSUMER_SUSPENDED`),
        `exhausted pC ${exhaustedFp} daily_quota`,
      ].sort(),
    );

    // `mealwise pool status --json` says the same, by fingerprint.
    const cli = await stack.cli(['pool', 'status', '--json']);
    expect(cli.code).toBe(0);
    const status = JSON.parse(cli.stdout) as PoolStatusJson;
    const byFp = new Map(status.keys.map((k) => [k.fingerprint, k]));
    // Every call the emulator saw (refused ones included) was admitted by the pool, per project.
    const admitted = new Map(status.keys.map((k) => [k.project, k.models[0]!.usedToday]));
    const emulatorCalls = Object.values(stats.byKey).reduce((a, b) => a + b, 0);
    expect([...admitted.values()].reduce((a, b) => a + b, 0)).toBe(emulatorCalls);
    expect(byFp.get(invalidFp)).toMatchObject({ state: 'invalid', invalid: { reason: 'API_KEY_INVALID' } });
    for (const f of suspendedFps)
      expect(byFp.get(f)).toMatchObject({ state: 'invalid', invalid: { reason: 'CONSUMER_SUSPENDED' } });
    expect(byFp.get(exhaustedFp)).toMatchObject({ state: 'exhausted', invalid: null });
    expect(byFp.get(exhaustedFp)!.models[0]!.blockedBy).toContain('daily_quota');
    for (const f of healthyFps) {
      expect(byFp.get(f)).toMatchObject({ state: 'available', invalid: null });
      expect(byFp.get(f)!.models[0]!.cooldownUntil).toBeNull();
    }

    // So do the workers' /metrics (the key-pool gauges refresh at most every 5 s).
    const keyState = (text: string, f: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith('mealwise_key_pool_key_state{') && l.includes(`"${f}"`) && l.endsWith(' 1'))
        ?.match(/state="(\w+)"/)?.[1];
    const metrics = await waitFor(
      async () => {
        const text = await fetch(`http://127.0.0.1:${stack.workers[0]!.metricsPort}/metrics`).then((r) =>
          r.text(),
        );
        return keyState(text, invalidFp) === 'invalid' && keyState(text, exhaustedFp) === 'exhausted'
          ? text
          : null;
      },
      { timeoutMs: 15_000, intervalMs: 500, what: 'key-pool gauges to show the bad keys' },
    );
    for (const f of suspendedFps) expect(keyState(metrics, f)).toBe('invalid');
    for (const f of healthyFps) expect(keyState(metrics, f)).toBe('available');

    // Every refused call is in the workers' call counters under its cause.
    expect(await geminiCallCounts(stack.workers)).toEqual({
      'ok/ok': USERS,
      'INVALID_KEY/API_KEY_INVALID': refused.invalid,
      'INVALID_KEY/CONSUMER_SUSPENDED': refused.suspended,
      'RATE_LIMITED/day': refused.exhausted,
    });

    // Reported exactly once, by fingerprint, across both workers' logs (whichever made the call).
    const lines = stack.workers.flatMap((w) => w.lines);
    const reports = (f: string) => lines.filter((l) => l.includes(`key pool: key ${f}`)).length;
    expect(reports(invalidFp)).toBe(1);
    for (const f of suspendedFps) expect(reports(f)).toBe(1);
    expect(lines.filter((l) => l.includes('key pool: project pC') && l.includes('exhausted')).length).toBe(1);
    for (const f of healthyFps) expect(reports(f)).toBe(0);
    const reportLine = logLines(lines).find((l) =>
      String(l.message).startsWith(`key pool: key ${invalidFp}`),
    );
    expect(reportLine).toMatchObject({
      level: 'warn',
      event: 'invalid',
      fingerprint: invalidFp,
      project: 'pA',
    });

    // The API's admin view agrees (and is part of the secrets scan).
    const body = await adminKeyPool(stack);
    expect(body).toContain(invalidFp);
    expect(body).toContain('API_KEY_INVALID');

    // Never by its raw value: logs, Redis, /metrics, CLI and API output.
    const secretHits = await expectNoSecrets(stack);

    recordScenario({
      id: ID,
      title: 'Keys going bad mid-run',
      users: USERS,
      succeeded: inv.gemini,
      ...invariantColumns(inv),
      recoveryMs: null,
      fiveXx: stats.byStatus['503'] ?? 0,
      durationMs,
      secretHits,
      extra: {
        keys: stack.keys.length,
        projects: Object.keys(KEYS).length,
        refusedInvalidKey400: refused.invalid,
        refusedSuspended403: refused.suspended,
        refusedDayQuota429: refused.exhausted,
        invalidReports: reports(invalidFp),
      },
      notes:
        `${WORKERS} workers × ${CONCURRENCY} jobs, 5 projects / 6 keys; at ${AT.invalid * 100} % pA's key revoked, ` +
        `at ${AT.suspended * 100} % pB (2 keys) suspended, at ${AT.exhausted * 100} % pC's day quota used up; ` +
        'pD and pE carried the rest',
    });
  }, 90_000);
});
