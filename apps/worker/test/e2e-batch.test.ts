// End to end: seeded database, Gemini emulator, a real worker process and the real CLI.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type BatchJobData,
  QUEUE_BATCH,
  RETENTION,
  type RunSummary,
  USER_JOB_OPTIONS,
  userJobId,
} from '@mealwise/jobs';
import { waitFor } from '@mealwise/testing';
import { Queue } from 'bullmq';
import { E2e, logLines, type WorkerProcess } from './helpers/e2e.ts';

let e: E2e;
let worker: WorkerProcess;
let active: number[];
let batchQueue: Queue<BatchJobData>;

beforeAll(async () => {
  // Two projects with a valid key each and one key Google does not know (400 API_KEY_INVALID).
  e = await E2e.start({ users: 150, projects: 2, invalidKeys: 1 });
  active = await e.activeUsers();
  batchQueue = new Queue<BatchJobData>(QUEUE_BATCH, { connection: e.redis, prefix: e.bullPrefix });
  worker = await e.startWorker();
}, 60_000);

afterAll(async () => {
  await batchQueue?.close();
  await e?.close();
}, 60_000);

const runIdOf = (s: RunSummary) => s.run_id;

describe('worker end to end', () => {
  let first: RunSummary;

  it('`mealwise batch run --wait`: every active user gets a Gemini record, nobody else; the summary adds up', async () => {
    const all = await e.allUsers();
    expect(active.length).toBeGreaterThan(20);
    expect(active.length).toBeLessThan(all.length);

    const r = await e.cli(['batch', 'run', '--wait', '--json', '--timeout', '120']);
    expect(r.code).toBe(0);
    first = JSON.parse(r.stdout) as RunSummary;
    expect(first).toMatchObject({
      trigger: 'manual',
      total: active.length,
      enqueued: active.length,
      succeeded: active.length,
      skipped: 0,
      failed: 0,
      fallback: 0,
    });
    expect(first.succeeded + first.skipped + first.failed).toBe(first.enqueued);
    expect(first.finished_at).not.toBeNull();
    expect(Date.parse(first.finished_at!)).toBeGreaterThanOrEqual(Date.parse(first.started_at!));

    const records = await e.cache.getMany(all);
    const withRecord = [...records.keys()].sort((a, b) => a - b);
    expect(withRecord).toEqual(active);
    for (const t of active) {
      expect(records.get(t)).toMatchObject({
        source: 'gemini',
        run_id: runIdOf(first),
        model: 'gemini-2.5-flash-lite',
      });
      expect(records.get(t)!.summary.length).toBeGreaterThan(0);
    }
    // One answered call per user: nobody was generated twice.
    expect(e.okCalls()).toBe(active.length);
    // The unknown key was tried, found invalid and dropped at once (at most one call per job in flight).
    const bad = e.keys.find((k) => k.project === 'bad1')!;
    expect(e.emulator.stats().byKey[bad.fingerprint] ?? 0).toBeGreaterThanOrEqual(1);
    expect(e.emulator.stats().byKey[bad.fingerprint]).toBeLessThanOrEqual(4);

    // `batch status <run>` shows the same summary.
    const status = await e.cli(['batch', 'status', runIdOf(first), '--json']);
    expect(JSON.parse(status.stdout)).toEqual(first);
  }, 150_000);

  it('user jobs carry the retention that keeps same-day dedup working (completed ≥ 48 h, failed 14 d)', async () => {
    const job = await e.userQueue.getJob(userJobId(runIdOf(first), active[0]!));
    expect(job).toBeDefined();
    expect(await job!.getState()).toBe('completed');
    expect(job!.opts.removeOnComplete).toEqual(RETENTION.removeOnComplete);
    expect((RETENTION.removeOnComplete as { age: number }).age).toBeGreaterThanOrEqual(48 * 3600);
    expect(job!.opts.removeOnFail).toEqual({ age: 14 * 24 * 3600 });
    expect(job!.opts.attempts).toBe(USER_JOB_OPTIONS.attempts);
    const batchJob = await batchQueue.getJob(`batch-${runIdOf(first)}`);
    expect(batchJob!.opts.removeOnComplete).toEqual(RETENTION.removeOnComplete);
    expect(batchJob!.progress).toEqual({ enqueued: active.length, total: active.length, percent: 100 });
  });

  it('the same run id again enqueues nobody: neither the producer nor a second batch job of that run', async () => {
    const callsBefore = e.emulator.stats().requests;
    const jobsBefore = (await e.userJobs()).length;
    const again = await e.producer.enqueueBatch({ runId: runIdOf(first) });
    expect(again.created).toBe(false);
    // A second batch job of the same run (as a retried or re-fired nightly job would be) runs the
    // whole fan-out; deterministic job ids and the enqueued set keep it from adding anyone.
    const other = await batchQueue.add(
      'batch',
      { runId: runIdOf(first), trigger: 'schedule' },
      { jobId: `other-${runIdOf(first)}` },
    );
    const finished = await waitFor(
      async () => ((await other.isCompleted()) ? batchQueue.getJob(other.id!) : null),
      { timeoutMs: 30_000, what: 'the second batch job' },
    );
    expect(finished.returnvalue).toMatchObject({ runId: runIdOf(first), enqueued: 0, total: active.length });
    expect((await e.userJobs()).length).toBe(jobsBefore);
    expect(await e.runs.get(runIdOf(first))).toEqual(first);
    expect(e.emulator.stats().requests).toBe(callsBefore);
  }, 60_000);

  it('a new run the same day skips every unchanged user at fan-out: no job, no Gemini call', async () => {
    const callsBefore = e.emulator.stats().requests;
    const r = await e.cli(['batch', 'run', '--wait', '--json', '--timeout', '60']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as RunSummary;
    expect(s.run_id).not.toBe(runIdOf(first));
    expect(s).toMatchObject({
      total: active.length,
      enqueued: active.length,
      skipped: active.length,
      succeeded: 0,
    });
    expect(s.finished_at).not.toBeNull();
    expect(e.emulator.stats().requests).toBe(callsBefore);
    const jobsOfRun = (await e.userJobs()).filter((j) => j.data.runId === s.run_id);
    expect(jobsOfRun).toHaveLength(0);
  }, 90_000);

  it('serves the metrics named in metrics.ts / observe.ts and BullMQ job counts on /metrics', async () => {
    const text = await e.metrics(worker);
    for (const name of [
      'mealwise_worker_jobs_total',
      'mealwise_generation_duration_seconds',
      'mealwise_gemini_calls_total',
      'mealwise_worker_queue_pauses_total',
      'mealwise_batch_users',
      'mealwise_batch_finished_timestamp_seconds',
      'mealwise_key_pool_requests_today',
      'mealwise_key_pool_requests_last_minute',
      'mealwise_key_pool_limit_requests_per_day',
      'mealwise_key_pool_limit_requests_per_minute',
      'mealwise_key_pool_key_state',
      'mealwise_key_pool_up',
      'mealwise_queue_metrics_up',
      'mealwise_key_pool_capacity_left_today',
      'mealwise_key_pool_seconds_to_reset',
      'bullmq_job_count',
      'mealwise_worker_process_resident_memory_bytes',
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    const sample = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
    expect(sample(/^mealwise_worker_jobs_total\{queue="recs-user",outcome="succeeded"\} (\d+)/m)).toBe(
      active.length,
    );
    expect(
      sample(/^mealwise_generation_duration_seconds_count\{model="gemini-2\.5-flash-lite"\} (\d+)/m),
    ).toBe(active.length);
    expect(
      sample(/^mealwise_gemini_calls_total\{model="gemini-2\.5-flash-lite",status="ok",reason="ok"\} (\d+)/m),
    ).toBe(active.length);
    expect(
      sample(/^mealwise_gemini_calls_total\{[^}]*status="INVALID_KEY"[^}]*\} (\d+)/m),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(/^bullmq_job_count\{queue="recs-user", ?state="completed"\} (\d+)/m)).toBe(active.length);
    const bad = e.keys.find((k) => k.project === 'bad1')!;
    expect(text).toContain(
      `mealwise_key_pool_key_state{fingerprint="${bad.fingerprint}",project="bad1",model="gemini-2.5-flash-lite",state="invalid"} 1`,
    );
    expect(sample(/^bullmq_job_completed_total\{queue="recs-user"\} (\d+)/m)).toBe(active.length);
    // One declaration per family, as Prometheus requires, though two queues are exported.
    expect(text.match(/^# TYPE bullmq_job_count /gm)).toHaveLength(1);
    expect(text).toMatch(/^bullmq_job_count\{queue="recs-batch", ?state="completed"\} \d+/m);
    expect(text).toMatch(/^mealwise_batch_users\{run_id="[^"]+",state="total"\} \d+/m);
  });

  it('sizes the queue limiter from the pool: every project’s per-minute limit, added up', () => {
    const started = logLines(worker).find((l) => l.message === 'worker started');
    // Three projects (the invalid key is its own) × GEMINI_MAX_REQUESTS_PER_MINUTE.
    expect(started).toMatchObject({ limiterPerMinute: 3 * 10_000, concurrency: 4 });
  });

  it('JSON logs carry tgid, key fingerprint, usage and generation_time_ms, never a key', async () => {
    const lines = logLines(worker);
    const generated = lines.filter((l) => l.message === 'recommendation generated');
    expect(generated.length).toBe(active.length);
    expect(generated[0]).toMatchObject({
      tgid: expect.any(Number),
      keyFingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
      totalTokens: expect.any(Number),
      generation_time_ms: expect.any(Number),
    });
    const all = worker.lines.join('\n');
    for (const k of e.keys) expect(all).not.toContain(k.key);
  });

  it('`recs generate --wait` refreshes one user through the worker; `recs show` prints it', async () => {
    const tgid = active[3]!;
    const before = (await e.cache.getMany([tgid])).get(tgid);
    const calls = e.okCalls();
    // Two requests at once: the second joins the first's job if it is still pending.
    const [a, b] = await Promise.all([
      e.cli(['recs', 'generate', String(tgid), '--json']),
      e.cli(['recs', 'generate', String(tgid), '--json']),
    ]);
    const ids = [JSON.parse(a.stdout), JSON.parse(b.stdout)] as { job_id: string; joined_pending: boolean }[];
    const joined = ids.filter((x) => x.joined_pending);
    for (const j of joined) expect(ids.map((x) => x.job_id).filter((id) => id === j.job_id)).toHaveLength(2);
    const waited = await e.cli(['recs', 'generate', String(tgid), '--wait', '--json', '--timeout', '60']);
    expect(waited.code).toBe(0);
    const shown = JSON.parse((await e.cli(['recs', 'show', String(tgid), '--json'])).stdout) as {
      status: string;
      record: { source: string; generated_at: string; run_id?: string };
    };
    expect(shown.status).toBe('hit');
    expect(shown.record.source).toBe('gemini');
    expect(Date.parse(shown.record.generated_at)).toBeGreaterThan(
      Date.parse(before?.generated_at ?? '1970-01-01T00:00:00Z'),
    );
    // A refresh belongs to no run.
    expect(shown.record.run_id).toBeUndefined();
    // One or two refresh jobs ran (the third request came after the first finished, or joined it).
    expect(e.okCalls() - calls).toBeGreaterThanOrEqual(1);
    expect(e.okCalls() - calls).toBeLessThanOrEqual(3 - joined.length);
    const miss = await e.cli([
      'recs',
      'show',
      String((await e.allUsers()).find((t) => !active.includes(t))),
      '--json',
    ]);
    expect(miss.code).toBe(1);
    expect(JSON.parse(miss.stdout)).toMatchObject({ status: 'miss' });
  }, 90_000);
});
