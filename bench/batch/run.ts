// One nightly batch end to end: a seeded orders database with exactly N active users, the Gemini
// emulator (P projects × RPM, latency 800 ± 400 ms) in this process, W real worker processes, and
// the batch enqueued the way `mealwise batch run` does it. Measures what the issue asks: wall time
// against the quota-bound ideal, 429s, wasted calls, requests per user, worker RSS over the run.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDb, ensureDatabase, migrateToLatest, seedDemoData } from '@mealwise/db';
import { type EmulatorStats, startEmulator } from '@mealwise/gemini-emulator';
import { RecsProducer, type RunSummary, RunSummaryStore, userJobId } from '@mealwise/jobs';
import type { Redis } from '@mealwise/redis';
import { deleteByPrefix, type Spawned, spawnNodeTs, uniquePrefix } from '@mealwise/testing';
import { sql } from 'kysely';

export interface BatchParams {
  users: number;
  projects: number;
  rpm: number;
  latencyMs: number;
  jitterMs: number;
  workers: number;
  concurrency: number;
  databaseUrl: string;
  redisUrl: string;
  /** Extra worker environment (e.g. WORKER_LIMITER_PER_MINUTE, GEMINI_RPM_WINDOW_GUARD_MS). */
  workerEnv: Record<string, string>;
}

export interface BatchMeasurement {
  summary: RunSummary;
  wallMs: number;
  emulator: EmulatorStats;
  /** BullMQ activations (attemptsStarted) over all user jobs of the run. */
  activations: number;
  /** Per worker: RSS samples (MiB) every few seconds. */
  rss: number[][];
  /** When each user's recommendation was generated (ms, from the workers' log lines), sorted. */
  generatedAt: number[];
  seedSeconds: number;
}

const MODEL = 'gemini-2.5-flash-lite';
const ROOT = new URL('../../', import.meta.url).pathname;

/** Seeds about twice the users needed, then deactivates active users beyond the first `users`. */
async function prepareUsers(url: string, users: number, log: (s: string) => void): Promise<number> {
  await ensureDatabase(url);
  const db = createDb({ connectionString: url, max: 2 });
  try {
    await migrateToLatest(db);
    const t0 = performance.now();
    log(`dataset: seeding ${(users * 2).toLocaleString('en-US')} users…`);
    await seedDemoData(url, { users: users * 2, seed: 2026, truncate: true });
    const { rows } = await sql<{ n: string }>`
      WITH active AS (
        SELECT u.tgid FROM users u
         WHERE u.is_active
           AND (SELECT count(*) FROM (SELECT 1 FROM orders o
                 WHERE o.user_tgid = u.tgid AND o.status <> 'cancelled'
                   AND o.created_at >= now() - interval '30 days' AND o.created_at <= now()
                 LIMIT 5) enough) >= 5
         ORDER BY u.tgid)
      SELECT count(*)::text AS n FROM active`.execute(db);
    const active = Number(rows[0]?.n);
    if (active < users) throw new Error(`only ${active} active users after seeding ${users * 2}`);
    await sql`
      UPDATE users SET is_active = false WHERE tgid IN (
        SELECT u.tgid FROM users u
         WHERE u.is_active
           AND (SELECT count(*) FROM (SELECT 1 FROM orders o
                 WHERE o.user_tgid = u.tgid AND o.status <> 'cancelled'
                   AND o.created_at >= now() - interval '30 days' AND o.created_at <= now()
                 LIMIT 5) enough) >= 5
         ORDER BY u.tgid OFFSET ${users})`.execute(db);
    await sql`ANALYZE`.execute(db);
    return (performance.now() - t0) / 1000;
  } finally {
    await db.destroy();
  }
}

function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export async function runBatch(
  p: BatchParams,
  redis: Redis,
  log: (s: string) => void,
): Promise<BatchMeasurement> {
  const seedSeconds = await prepareUsers(p.databaseUrl, p.users, log);
  const keys = Array.from({ length: p.projects }, (_, i) => ({
    key: `bench-key-${randomUUID()}`,
    project: `p${String(i + 1).padStart(2, '0')}`,
  }));
  const emulator = await startEmulator({
    keys: Object.fromEntries(keys.map((k) => [k.key, { project: k.project }])),
    models: { [MODEL]: { rpm: p.rpm, rpd: 1_000_000_000 } },
    latency: { baseMs: p.latencyMs - p.jitterMs, jitterMs: 2 * p.jitterMs },
  });
  const bullPrefix = uniquePrefix('bench-bull');
  const poolPrefix = `${uniquePrefix('bench-gemini')}:`;
  const ns = `${uniquePrefix('bench-batch')}:`;
  const env: Record<string, string> = {
    DATABASE_URL: p.databaseUrl,
    REDIS_URL: p.redisUrl,
    BULL_PREFIX: bullPrefix,
    GEMINI_KEY_POOL_PREFIX: poolPrefix,
    RECS_REDIS_NAMESPACE: ns,
    GEMINI_API_KEYS: keys.map((k) => `${k.project}:${k.key}`).join(','),
    GEMINI_BASE_URL: emulator.url,
    GEMINI_MODEL: MODEL,
    GEMINI_MAX_REQUESTS_PER_MINUTE: String(p.rpm),
    GEMINI_MAX_REQUESTS_PER_KEY: '1000000000',
    WORKER_CONCURRENCY: String(p.concurrency),
    WORKER_METRICS_PORT: '0',
    RECS_SCHEDULER_ENABLED: 'false',
    // As in production: one JSON line per generated user.
    LOG_LEVEL: 'info',
    ...p.workerEnv,
  };
  const workers: Spawned[] = [];
  const producer = new RecsProducer({ connection: redis, prefix: bullPrefix });
  const runs = new RunSummaryStore({ redis, prefix: `${ns}recs:` });
  try {
    for (let i = 0; i < p.workers; i++) {
      const w = spawnNodeTs('apps/worker/src/main.ts', [], { cwd: ROOT, env });
      workers.push(w);
    }
    await Promise.all(workers.map((w) => w.waitForLine('"worker started"', 60_000)));
    const rss: number[][] = workers.map(() => []);
    const sample = () => {
      for (const [i, w] of workers.entries()) rss[i]!.push(rssMiB(w.pid) ?? Number.NaN);
    };
    sample();
    const t0 = Date.now();
    const { runId } = await producer.enqueueBatch({ runId: `bench-${Date.now()}` });
    log(
      `batch ${runId}: ${p.users} users, ${p.projects} projects × ${p.rpm} RPM, ideal ${(p.users / (p.projects * p.rpm)).toFixed(1)} min`,
    );
    let summary: RunSummary | null = null;
    let lastLog = 0;
    const sampler = setInterval(sample, 5_000);
    try {
      for (;;) {
        summary = await runs.get(runId);
        if (summary?.finished_at) break;
        for (const w of workers) {
          if (w.child.exitCode !== null)
            throw new Error(`worker ${w.pid} exited: ${w.lines.slice(-10).join('\n')}`);
        }
        if (Date.now() - lastLog > 60_000) {
          lastLog = Date.now();
          const done = summary ? summary.succeeded + summary.failed + summary.skipped : 0;
          log(
            `  ${((Date.now() - t0) / 60_000).toFixed(1)} min: ${done} / ${p.users} done, ${emulator.stats().requests} requests`,
          );
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      clearInterval(sampler);
    }
    sample();
    const wallMs = Date.parse(summary.finished_at!) - t0;
    const activations = await countActivations(redis, bullPrefix, runId, p.databaseUrl);
    const generatedAt = workers
      .flatMap((w) => w.lines)
      .filter((l) => l.includes('"recommendation generated"'))
      .map((l) => Date.parse((JSON.parse(l) as { time: string }).time))
      .sort((a, b) => a - b);
    return { summary, wallMs, emulator: emulator.stats(), activations, rss, generatedAt, seedSeconds };
  } finally {
    await Promise.all(
      workers.map(async (w) => {
        w.kill('SIGTERM');
        const t = setTimeout(() => w.kill('SIGKILL'), 30_000);
        await w.exited;
        clearTimeout(t);
      }),
    );
    await producer.close();
    await emulator.close();
    for (const prefix of [`${bullPrefix}:`, poolPrefix, ns]) await deleteByPrefix(redis, prefix);
  }
}

async function countActivations(
  redis: Redis,
  bullPrefix: string,
  runId: string,
  url: string,
): Promise<number> {
  const db = createDb({ connectionString: url, max: 1 });
  try {
    const tgids = (await db.selectFrom('users').select('tgid').where('is_active', '=', true).execute()).map(
      (r) => Number(r.tgid),
    );
    let total = 0;
    for (let i = 0; i < tgids.length; i += 1000) {
      const pipe = redis.pipeline();
      for (const t of tgids.slice(i, i + 1000))
        pipe.hget(`${bullPrefix}:recs-user:${userJobId(runId, t)}`, 'ats');
      for (const [, v] of (await pipe.exec()) ?? []) total += Number(v ?? 0);
    }
    return total;
  } finally {
    await db.destroy();
  }
}
