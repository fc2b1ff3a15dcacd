// bench/batch (issue 5): (1) the fan-out alone — `runFanout` enqueuing BENCH_BATCH_FANOUT_JOBS
// jobs against a bare addBulk loop of the same jobs in the same run, plus its memory; (2) a whole
// nightly batch — BENCH_BATCH_USERS active users, the Gemini emulator with BENCH_BATCH_PROJECTS ×
// BENCH_BATCH_RPM and latency 800 ± 400 ms, BENCH_BATCH_WORKERS worker processes ×
// BENCH_BATCH_CONCURRENCY — against the quota-bound ideal users / (projects × RPM) minutes.
//
// Parameters (environment): BENCH_BATCH_USERS (20000; ~33 min at 600/min — use 3000 for a quick
// run), BENCH_BATCH_PROJECTS (10), BENCH_BATCH_RPM (60), BENCH_BATCH_LATENCY_MS (800),
// BENCH_BATCH_JITTER_MS (400), BENCH_BATCH_WORKERS (2), BENCH_BATCH_CONCURRENCY (16),
// BENCH_BATCH_FANOUT_JOBS (100000; 0 skips), BENCH_BATCH_FANOUT_ROUNDS (3), BENCH_BATCH_SKIP_RUN=1
// (fan-out only), BENCH_BATCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/mealwise_bench_batch,
// re-seeded every run), REDIS_URL; BENCH_BATCH_WORKER_ENV (JSON object of extra worker variables).
import { createRedis } from '@mealwise/redis';
import { intEnv } from '../lib/env.ts';
import { type BenchRow, round, writeResult } from '../lib/result.ts';
import { measureFanout } from './fanout.ts';
import { runBatch } from './run.ts';

const USERS = intEnv('BENCH_BATCH_USERS', 20_000);
const PROJECTS = intEnv('BENCH_BATCH_PROJECTS', 10);
const RPM = intEnv('BENCH_BATCH_RPM', 60);
const LATENCY = intEnv('BENCH_BATCH_LATENCY_MS', 800);
const JITTER = intEnv('BENCH_BATCH_JITTER_MS', 400);
const WORKERS = intEnv('BENCH_BATCH_WORKERS', 2);
const CONCURRENCY = intEnv('BENCH_BATCH_CONCURRENCY', 16);
const FANOUT_JOBS = intEnv('BENCH_BATCH_FANOUT_JOBS', 100_000);
const FANOUT_ROUNDS = intEnv('BENCH_BATCH_FANOUT_ROUNDS', 3);
const SKIP_RUN = process.env.BENCH_BATCH_SKIP_RUN === '1';
const DATABASE_URL =
  process.env.BENCH_BATCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mealwise_bench_batch';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER_ENV = JSON.parse(process.env.BENCH_BATCH_WORKER_ENV ?? '{}') as Record<string, string>;

const log = (s: string) => process.stderr.write(`${s}\n`);
const fmt = (n: number) => n.toLocaleString('en-US');
const redis = createRedis(REDIS_URL, { role: 'queue' });
const rows: BenchRow[] = [];
const notes: string[] = [];

try {
  if (FANOUT_JOBS > 0) {
    log(`fan-out: ${fmt(FANOUT_JOBS)} jobs, ${FANOUT_ROUNDS} rounds`);
    const f = await measureFanout(redis, FANOUT_JOBS, FANOUT_ROUNDS, log);
    rows.push(
      {
        metric: `fan-out: ${fmt(FANOUT_JOBS)} user jobs enqueued by runFanout`,
        value: round(f.fanoutJobsPerS, 0),
        unit: 'jobs/s',
        baseline: { label: 'bare addBulk loop, same jobs and chunks', value: round(f.baselineJobsPerS, 0) },
        target: '≥ 80 % of baseline',
        met: f.fanoutJobsPerS >= 0.8 * f.baselineJobsPerS,
      },
      {
        metric: `fan-out: heap retained after enqueuing ${fmt(FANOUT_JOBS)} (after GC)`,
        value: round(f.heapRetainedMiB, 1),
        unit: 'MiB',
        target: 'flat (< 5 MiB)',
        met: f.heapRetainedMiB < 5,
      },
      {
        metric: `fan-out: peak RSS growth while enqueuing ${fmt(FANOUT_JOBS)}`,
        value: round(f.rssPeakGrowthMiB, 1),
        unit: 'MiB',
      },
    );
    notes.push(
      `Fan-out: users from an in-memory keyset source (PostgreSQL iteration is bench/stats'), an empty cache (one MGET per page for the unchanged-user check), pages of 500; after a 10,000-job warm-up, best of ${FANOUT_ROUNDS} rounds each, in alternating order.`,
    );
  }

  if (!SKIP_RUN) {
    const b = await runBatch(
      {
        users: USERS,
        projects: PROJECTS,
        rpm: RPM,
        latencyMs: LATENCY,
        jitterMs: JITTER,
        workers: WORKERS,
        concurrency: CONCURRENCY,
        databaseUrl: DATABASE_URL,
        redisUrl: REDIS_URL,
        workerEnv: WORKER_ENV,
      },
      redis,
      log,
    );
    const s = b.summary;
    const e = b.emulator;
    const capacity = PROJECTS * RPM;
    const idealMin = USERS / capacity;
    const wallMin = b.wallMs / 60_000;
    const requests = e.requests;
    const ok = e.byReason.ok ?? 0;
    const tooMany = e.byStatus['429'] ?? 0;
    const maxWindow = Math.max(
      ...Object.values(e.quotas).map((m) => m['gemini-2.5-flash-lite']?.maxRequestsPerMinute ?? 0),
    );
    const rssGrowth = b.rss.map((samples) => {
      const warm = samples[Math.min(samples.length - 1, Math.max(1, Math.floor(samples.length / 10)))]!;
      return { warm, end: samples.at(-1)!, peak: Math.max(...samples) };
    });
    const g = b.generatedAt;
    // Whole windows only, from the first generation of window 2 to the first of the last one:
    // admissions free up in the rhythm they were made, so a partial last window would flatter it.
    const steady =
      g.length > 3 * capacity
        ? ((g.length - 2 * capacity) / (g[g.length - capacity]! - g[capacity]!)) * 60_000
        : Number.NaN;
    const worst = rssGrowth.reduce((a, r) => (r.end - r.warm > a.end - a.warm ? r : a));
    log(
      `batch: ${JSON.stringify({ wallMin, s, requests, ok, tooMany, maxWindow, rssGrowth, activations: b.activations })}`,
    );
    rows.push(
      {
        metric: `batch of ${fmt(USERS)} users: throughput`,
        value: round(USERS / wallMin, 1),
        unit: 'users/min',
        baseline: { label: `quota-bound ideal (${PROJECTS} projects × ${RPM} RPM)`, value: capacity },
        target: '≥ 95 % of ideal',
        met: USERS / wallMin >= 0.95 * capacity,
      },
      {
        // Between the first window (it starts empty: `capacity` users go out at once) and the
        // last: the pace the pool holds the fleet to, from the workers' generation timestamps.
        metric: 'steady-state throughput (whole windows between the first and the last)',
        value: round(steady, 1),
        unit: 'users/min',
        baseline: { label: 'projects × RPM', value: capacity },
        target: '≥ 95 % of ideal',
        met: steady >= 0.95 * capacity,
      },
      {
        metric: `batch of ${fmt(USERS)} users: wall time`,
        value: round(wallMin, 2),
        unit: 'min',
        baseline: { label: 'ideal users / (projects × RPM)', value: round(idealMin, 2) },
      },
      {
        metric: 'users accounted for (succeeded + skipped + failed) / active',
        value: s.succeeded + s.skipped + s.failed,
        unit: 'users',
        baseline: { label: 'active users', value: USERS },
        target: '100 %, failed 0',
        met: s.succeeded === USERS && s.failed === 0,
      },
      { metric: '429s received', value: tooMany, unit: 'responses', target: '0', met: tooMany === 0 },
      {
        metric: 'most requests one project+model received in any 60 s',
        value: maxWindow,
        unit: 'requests',
        target: `≤ RPM (${RPM})`,
        met: maxWindow <= RPM,
      },
      {
        metric: 'wasted calls (requests that produced no record)',
        value: requests - ok,
        unit: 'calls',
      },
      {
        metric: 'Gemini requests per user',
        value: round(requests / USERS, 4),
        unit: 'req/user',
        target: '≤ 1.02',
        met: requests / USERS <= 1.02,
      },
      {
        metric: 'BullMQ job activations per user (pauses for the per-minute limit included)',
        value: round(b.activations / USERS, 2),
        unit: 'activations/user',
      },
      {
        metric: 'worker RSS growth from 10 % of the run to its end (worst worker)',
        value: round(worst.end - worst.warm, 1),
        unit: 'MiB',
        target: 'flat (< 30 MiB)',
        met: worst.end - worst.warm < 30,
      },
      {
        metric: 'worker peak RSS (worst worker)',
        value: round(Math.max(...rssGrowth.map((r) => r.peak)), 0),
        unit: 'MiB',
      },
    );
    notes.push(
      `Batch: ${WORKERS} worker processes × WORKER_CONCURRENCY ${CONCURRENCY}, the emulator in the bench process (latency ${LATENCY} ± ${JITTER} ms, uniform), limits per project+model equal to the pool's (${RPM}/min; the pool counts over 60 s + GEMINI_RPM_WINDOW_GUARD_MS, default 1 s, so its own ceiling is ${RPM} per 61 s = ${round((100 * 60) / 61, 1)} % of the ideal).`,
      `Wall time from enqueueing the batch to the run summary's finished_at; the first window starts empty, so up to one window's worth (${capacity}) goes out at once.`,
      `Dataset: ${fmt(USERS * 2)} seeded users, active ones beyond the first ${fmt(USERS)} deactivated; seeding took ${b.seedSeconds.toFixed(1)} s (not measured).`,
    );
  }

  writeResult(
    'batch',
    {
      users: USERS,
      projects: PROJECTS,
      rpm: RPM,
      latencyMs: `${LATENCY}±${JITTER}`,
      workers: WORKERS,
      concurrency: CONCURRENCY,
      fanoutJobs: FANOUT_JOBS,
      ...(Object.keys(WORKER_ENV).length ? { workerEnv: WORKER_ENV } : {}),
    },
    rows,
    notes,
  );
  for (const r of rows)
    log(
      `${r.metric}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target}: ${r.met ? 'met' : 'NOT met'})` : ''}`,
    );
} finally {
  redis.disconnect();
}
