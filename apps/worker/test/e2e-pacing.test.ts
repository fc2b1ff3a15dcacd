// End to end: what the worker does when Gemini has no capacity for it — the day's quota gone,
// every key invalid, the model unknown. It must pause (no spinning, no attempts burned), say so
// once per check, and resume by itself when capacity comes back.
import { describe, expect, it } from '@jest/globals';
import { deleteByPrefix, waitFor } from '@mealwise/testing';
import { type E2e, logLines, sleep, type WorkerProcess } from './helpers/e2e.ts';
import { useSharedDatabase } from './helpers/shared-database.ts';

const { active, open } = useSharedDatabase({ users: 150, seed: 11 });

/**
 * Over the run's jobs: activations (BullMQ's `attemptsStarted`), and attempts burned — failed
 * attempts, i.e. `attemptsMade` minus the one a completed job counts for its success.
 */
async function attemptCounts(e: E2e, runId: string) {
  const jobs = (await e.userJobs()).filter((j) => j.data.runId === runId);
  return {
    jobs: jobs.length,
    started: jobs.reduce((n, j) => n + j.attemptsStarted, 0),
    made: jobs.reduce((n, j) => n + j.attemptsMade - (j.finishedOn && !j.failedReason ? 1 : 0), 0),
  };
}

const errorsMatching = (w: WorkerProcess, re: RegExp) =>
  logLines(w).filter((l) => l.level === 'error' && re.test(String(l.message)));

describe('pacing when Gemini has no capacity', () => {
  it('a daily quota that runs out mid-batch pauses every job (no spinning) and the batch completes after the reset', async () => {
    // Two projects: the first quota day serves two thirds of the users, the next one the rest.
    const perProject = Math.ceil(active.length / 3);
    const e = await open({ projects: 2 });
    expect(active.length).toBeGreaterThan(2 * perProject);
    const worker = await e.startWorker({
      GEMINI_MAX_REQUESTS_PER_KEY: perProject,
      WORKER_MAX_PAUSE_MS: 1_000,
    });
    const { runId } = await e.producer.enqueueBatch({ runId: `quota-${Date.now()}` });

    await worker.waitForLine(/"reason":"quota_exhausted"/, 60_000);
    await waitFor(async () => (await e.runs.get(runId))?.succeeded === 2 * perProject, {
      what: 'the quota to be used up',
    });
    // Paused: over several pause lengths, no Gemini request and only a few activations per
    // re-check (a spinning worker would make thousands).
    const calls = e.emulator.stats().requests;
    const before = await attemptCounts(e, runId);
    const observeMs = 5_000;
    await sleep(observeMs);
    const after = await attemptCounts(e, runId);
    expect(e.emulator.stats().requests).toBe(calls);
    const concurrency = 4;
    const rechecks = observeMs / 1_000 + 2;
    expect(after.started - before.started).toBeLessThanOrEqual(concurrency * rechecks);
    expect(after.made).toBe(0);
    const summary = await e.runs.get(runId);
    expect(summary).toMatchObject({ succeeded: 2 * perProject, failed: 0, finished_at: null });
    const status = JSON.parse((await e.cli(['pool', 'status', '--json'])).stdout) as {
      keys: { models: { state: string }[] }[];
    };
    expect(status.keys.flatMap((k) => k.models.map((m) => m.state))).toEqual(['exhausted', 'exhausted']);

    // Pacific midnight, simulated: the pool's per-day usage counters and exhausted markers go
    // (`<prefix>usage:<project>:<model>:<day>`, `<prefix>exhausted:<project>:<model>`).
    await deleteByPrefix(e.redis, `${e.poolPrefix}usage:`);
    await deleteByPrefix(e.redis, `${e.poolPrefix}exhausted:`);
    const done = await e.waitForRun(runId, 60_000);
    expect(done).toMatchObject({ total: active.length, succeeded: active.length, failed: 0 });
    expect(e.okCalls()).toBe(active.length);
    expect((await attemptCounts(e, runId)).made).toBe(0);
  }, 180_000);

  it('all keys invalid: no spin, one clear error per check, no attempt burned; resumes once a key works again', async () => {
    const e = await open({ projects: 0, invalidKeys: 2 });
    const recheckMs = 1_500;
    const worker = await e.startWorker({ WORKER_CONFIG_RECHECK_MS: recheckMs });
    const { runId } = await e.producer.enqueueBatch({ runId: `invalid-${Date.now()}` });

    await worker.waitForLine('generation stopped', 30_000);
    // Each key was tried and found invalid once (a few calls in flight at most); after that the
    // pool refuses without calling Gemini.
    const firstCalls = e.emulator.stats().requests;
    expect(firstCalls).toBeGreaterThanOrEqual(2);
    expect(firstCalls).toBeLessThanOrEqual(2 + 4);
    const errorsBefore = errorsMatching(worker, /^generation stopped/).length;
    const before = await attemptCounts(e, runId);
    const observeMs = 6_000;
    await sleep(observeMs);
    expect(e.emulator.stats().requests).toBe(firstCalls);
    const errors = errorsMatching(worker, /^generation stopped/);
    const checks = errors.length - errorsBefore;
    expect(checks).toBeGreaterThanOrEqual(2);
    expect(checks).toBeLessThanOrEqual(Math.ceil(observeMs / recheckMs) + 1);
    expect(errors[0]).toMatchObject({
      reason: 'all_invalid',
      message: expect.stringMatching(/All API keys are invalid.*re-checking in 2 s/),
    });
    const after = await attemptCounts(e, runId);
    expect(after.made).toBe(0);
    expect(after.started - before.started).toBeLessThanOrEqual(4 * (checks + 2));
    expect((await e.runs.get(runId))?.succeeded).toBe(0);

    // The operator fixes the key (here: Google accepts it again) and clears the invalid marks.
    const fixed = e.keys[0]!;
    e.emulator.configure({ keys: { [fixed.key]: { project: fixed.project } } });
    const reset = await e.cli(['pool', 'reset-invalid', '--json']);
    expect(reset.code).toBe(0);
    const done = await e.waitForRun(runId, 90_000);
    expect(done).toMatchObject({ total: active.length, succeeded: active.length, failed: 0 });
    expect((await attemptCounts(e, runId)).made).toBe(0);
    // The other key is still wrong: found invalid again, once, after the reset.
    expect(e.emulator.stats().byKey[e.keys[1]!.fingerprint]).toBeLessThanOrEqual(2 * 5);
  }, 180_000);

  it('a model Google does not know (404) stops the batch early with a clear error; a fixed deploy resumes it', async () => {
    const e = await open({ projects: 2 });
    const recheckMs = 1_500;
    const wrong = 'gemini-2.0-flash-exp';
    const worker = await e.startWorker({ GEMINI_MODEL: wrong, WORKER_CONFIG_RECHECK_MS: recheckMs });
    const { runId } = await e.producer.enqueueBatch({ runId: `model-${Date.now()}` });

    await worker.waitForLine('generation stopped', 30_000);
    const observeMs = 4_500;
    await sleep(observeMs);
    const stats = e.emulator.stats();
    // At most one call per job in flight per check: a handful, not one per user.
    const checks = errorsMatching(worker, /^generation stopped/).length;
    expect(checks).toBeGreaterThanOrEqual(2);
    expect(stats.byStatus['404']).toBe(stats.requests);
    expect(stats.requests).toBeLessThanOrEqual(4 * (checks + 1));
    expect(stats.requests).toBeLessThan(active.length / 2);
    expect(errorsMatching(worker, /^generation stopped/)[0]).toMatchObject({
      reason: 'model_not_found',
      message: expect.stringContaining(`Gemini model "${wrong}" is not found for API version v1beta`),
    });
    expect((await attemptCounts(e, runId)).made).toBe(0);
    expect((await e.runs.get(runId))?.succeeded).toBe(0);

    // The fix is a deploy with the right GEMINI_MODEL: the new worker picks the run up when the
    // pause ends.
    expect(await worker.stop()).toBe(0);
    await e.startWorker();
    const done = await e.waitForRun(runId, 90_000);
    expect(done).toMatchObject({ total: active.length, succeeded: active.length, failed: 0 });
    expect((await attemptCounts(e, runId)).made).toBe(0);
    const records = await e.cache.getMany(active);
    expect([...records.values()].every((r) => r.model === 'gemini-2.5-flash-lite')).toBe(true);
  }, 180_000);
});
