// End to end with several worker processes: shared limits never overrun, every user done once,
// a SIGKILLed worker loses nobody, SIGTERM stops within its bound and requeues what was in flight.
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@mealwise/testing';
import { logLines, MODEL, type WorkerProcess } from './helpers/e2e.ts';
import { useSharedDatabase } from './helpers/shared-database.ts';

const { active, open } = useSharedDatabase({ users: 100, seed: 5 });

/** tgids of the users a worker generated, from its `recommendation generated` log lines. */
const generatedBy = (w: WorkerProcess) =>
  logLines(w)
    .filter((l) => l.message === 'recommendation generated')
    .map((l) => Number(l.tgid));

describe('several worker processes', () => {
  it('3 workers with tiny limits: zero overruns at the emulator, every user generated exactly once', async () => {
    // Three projects, RPM sized so the batch needs two 60 s windows: the limit binds.
    const projects = 3;
    const rpm = Math.ceil(active.length / (2 * projects));
    expect(active.length).toBeGreaterThan(projects * rpm);
    const e = await open({
      projects,
      emulatorRpm: rpm,
      emulator: { latency: { baseMs: 50, jitterMs: 100 } },
    });
    const env = { GEMINI_MAX_REQUESTS_PER_MINUTE: rpm, WORKER_CONCURRENCY: 4, WORKER_MAX_PAUSE_MS: 5_000 };
    const workers = await Promise.all([e.startWorker(env), e.startWorker(env), e.startWorker(env)]);
    const { runId } = await e.producer.enqueueBatch({ runId: `scale-${Date.now()}` });

    const done = await e.waitForRun(runId, 150_000);
    expect(done).toMatchObject({ total: active.length, succeeded: active.length, failed: 0, skipped: 0 });
    const stats = e.emulator.stats();
    // Zero overruns: no project+model ever saw more than its RPM in any rolling 60 s, no 429.
    for (const k of e.keys) {
      expect(stats.quotas[k.project]?.[MODEL]?.maxRequestsPerMinute).toBeLessThanOrEqual(rpm);
    }
    expect(stats.byStatus['429'] ?? 0).toBe(0);
    // Exactly once: one answered call per user, one generation per user across the three
    // processes, and every record written by this run.
    expect(stats.byReason.ok).toBe(active.length);
    expect(stats.requests).toBe(active.length);
    const generated = workers.flatMap(generatedBy);
    expect(generated.sort((a, b) => a - b)).toEqual(active);
    expect(workers.filter((w) => generatedBy(w).length > 0).length).toBeGreaterThanOrEqual(2);
    const records = await e.cache.getMany(active);
    expect([...records.values()].filter((r) => r.run_id === runId && r.source === 'gemini')).toHaveLength(
      active.length,
    );
    await Promise.all(workers.map((w) => w.stop()));
  }, 240_000);

  it('a worker SIGKILLed mid-batch loses no user: its jobs come back through stall detection', async () => {
    const e = await open({ projects: 2, emulator: { latency: { baseMs: 600, jitterMs: 400 } } });
    const env = { WORKER_JOB_TIMEOUT_MS: 4_000, WORKER_STALLED_INTERVAL_MS: 1_000 };
    const [victim, survivor] = await Promise.all([e.startWorker(env), e.startWorker(env)]);
    const { runId } = await e.producer.enqueueBatch({ runId: `kill-${Date.now()}` });

    await victim.waitForLine('recommendation generated', 30_000);
    // Kill it while it holds jobs (their Gemini calls in flight).
    await waitFor(async () => (await e.userQueue.getActiveCount()) >= 6, { what: 'jobs in flight' });
    victim.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    const done = await e.waitForRun(runId, 120_000);
    expect(done).toMatchObject({ total: active.length, succeeded: active.length, failed: 0 });
    await survivor.waitForLine('job stalled; it will run again', 5_000);
    const records = await e.cache.getMany(active);
    expect([...records.keys()].sort((a, b) => a - b)).toEqual(active);
    expect([...records.values()].every((r) => r.run_id === runId && r.source === 'gemini')).toBe(true);
    // The jobs caught in the crash ran again (the calls they had in flight were lost) — nobody
    // more than once more.
    expect(e.okCalls()).toBeGreaterThanOrEqual(active.length);
    expect(e.okCalls()).toBeLessThanOrEqual(active.length + 4);
    await survivor.stop();
  }, 180_000);

  it('SIGTERM: exits 0 within WORKER_SHUTDOWN_TIMEOUT_MS, in-flight jobs back to wait with no attempt spent', async () => {
    const e = await open({ projects: 2, emulator: { latency: { baseMs: 10_000, jitterMs: 0 } } });
    const shutdownMs = 4_000;
    const worker = await e.startWorker({
      WORKER_SHUTDOWN_TIMEOUT_MS: shutdownMs,
      WORKER_DRAIN_MS: 500,
      WORKER_JOB_TIMEOUT_MS: 30_000,
      GEMINI_TIMEOUT_MS: 20_000,
    });
    const { runId } = await e.producer.enqueueBatch({ runId: `term-${Date.now()}` });
    // Every job in flight is a Gemini call that will not answer before the shutdown bound.
    await waitFor(() => e.emulator.stats().requests >= 4, { what: 'four calls in flight' });
    const inFlight = (await e.userQueue.getActive()).map((j) => j.id);
    expect(inFlight).toHaveLength(4);

    worker.kill('SIGTERM');
    // Exit 0 and not forced: the service closed by itself (drain, abort, requeue) inside its bound;
    // main.ts would have exited 1 past WORKER_SHUTDOWN_TIMEOUT_MS + 2 s.
    expect(await worker.exited).toBe(0);
    const stopped = logLines(worker).find((l) => l.message === 'worker stopped');
    expect(stopped).toMatchObject({ forced: false });
    expect(Number(stopped!.ms)).toBeLessThan(shutdownMs);

    expect(await e.userQueue.getActiveCount()).toBe(0);
    for (const id of inFlight) {
      const job = await e.userQueue.getJob(id!);
      expect(await job!.getState()).toBe('waiting');
      expect(job!.attemptsMade).toBe(0);
    }
    expect(await e.userQueue.getFailedCount()).toBe(0);

    // A new worker (Gemini answering quickly again) finishes the run with everybody.
    e.emulator.configure({ latency: { baseMs: 0, jitterMs: 0 } });
    await e.startWorker();
    const done = await e.waitForRun(runId, 60_000);
    expect(done).toMatchObject({ total: active.length, succeeded: active.length, failed: 0 });
  }, 120_000);
});
