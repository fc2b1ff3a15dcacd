// End-to-end harness: a seeded orders database of its own, the Gemini emulator on a real socket,
// unique Redis namespaces (BullMQ, key pool, cache + run summaries), and worker / CLI processes
// started as real children with that environment.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { seedDemoData } from '@mealwise/db';
import {
  clearActivityEdge,
  createMigratedTestDatabase,
  type MigratedTestDatabase,
} from '@mealwise/db/testing';
import {
  type EmulatorConfigInput,
  type EmulatorHandle,
  fingerprintOf,
  startEmulator,
} from '@mealwise/gemini-emulator';
import { QUEUE_USER, RecsProducer, RunSummaryStore, type UserJobData } from '@mealwise/jobs';
import { RecommendationCache } from '@mealwise/recs';
import { closeRedis, createRedis, type Redis } from '@mealwise/redis';
import {
  activeUsers,
  deleteByPrefix,
  type Spawned,
  spawnNodeTs,
  TEST_REDIS_URL,
  uniquePrefix,
  waitFor,
} from '@mealwise/testing';
import { type Job, Queue } from 'bullmq';

export const ROOT = new URL('../../../../', import.meta.url).pathname;
export const MODEL = 'gemini-2.5-flash-lite';

export interface TestKey {
  key: string;
  project: string;
  fingerprint: string;
}

export interface E2eOptions {
  /** Seed a fresh database with this many users, or reuse `db` (another E2e's). */
  users?: number;
  db?: MigratedTestDatabase;
  seed?: number;
  /** Projects with one valid key each (`p1`, `p2`, ...). */
  projects: number;
  /** Extra keys unknown to the emulator (it answers 400 API_KEY_INVALID), each its own project. */
  invalidKeys?: number;
  /** The emulator's per-project limits for MODEL (defaults: never binding). */
  emulatorRpm?: number;
  emulatorRpd?: number;
  emulator?: Omit<EmulatorConfigInput, 'keys' | 'models'>;
}

export interface WorkerProcess extends Spawned {
  metricsPort: number;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | string>;
}

/** Everything one e2e test file needs; `close()` in afterAll. */
export class E2e {
  readonly db: MigratedTestDatabase;
  readonly emulator: EmulatorHandle;
  readonly redis: Redis;
  readonly keys: TestKey[];
  readonly bullPrefix = uniquePrefix('bull');
  readonly poolPrefix = `${uniquePrefix('gemini')}:`;
  readonly namespace = `${uniquePrefix('e2e')}:`;
  readonly producer: RecsProducer;
  readonly userQueue: Queue<UserJobData>;
  readonly runs: RunSummaryStore;
  readonly cache: RecommendationCache;
  readonly #workers = new Set<WorkerProcess>();

  readonly #ownsDb: boolean;

  private constructor(db: MigratedTestDatabase, ownsDb: boolean, emulator: EmulatorHandle, keys: TestKey[]) {
    this.db = db;
    this.#ownsDb = ownsDb;
    this.emulator = emulator;
    this.keys = keys;
    this.redis = createRedis(TEST_REDIS_URL, { role: 'queue' });
    this.producer = new RecsProducer({ connection: this.redis, prefix: this.bullPrefix });
    this.userQueue = new Queue<UserJobData>(QUEUE_USER, { connection: this.redis, prefix: this.bullPrefix });
    this.runs = new RunSummaryStore({ redis: this.redis, prefix: `${this.namespace}recs:` });
    this.cache = new RecommendationCache({
      redis: this.redis,
      ttlSeconds: 3600,
      keyPrefix: `${this.namespace}recommendations:user:`,
    });
  }

  static async start(o: E2eOptions): Promise<E2e> {
    const db = o.db ?? (await createMigratedTestDatabase());
    if (!o.db) await seedForE2e(db, { users: o.users ?? 100, seed: o.seed ?? 7 });
    const keys: TestKey[] = [];
    for (let i = 1; i <= o.projects; i++) keys.push(testKey(`p${i}`));
    for (let i = 1; i <= (o.invalidKeys ?? 0); i++) keys.push(testKey(`bad${i}`));
    const emulator = await startEmulator({
      ...o.emulator,
      keys: Object.fromEntries(
        keys.filter((k) => !k.project.startsWith('bad')).map((k) => [k.key, { project: k.project }]),
      ),
      models: { [MODEL]: { rpm: o.emulatorRpm ?? 100_000, rpd: o.emulatorRpd ?? 1_000_000 } },
    });
    return new E2e(db, !o.db, emulator, keys);
  }

  /** The environment every worker and CLI process of this file gets. */
  env(extra: Record<string, string | number> = {}): Record<string, string> {
    const base: Record<string, string | number> = {
      DATABASE_URL: this.db.url,
      REDIS_URL: TEST_REDIS_URL,
      BULL_PREFIX: this.bullPrefix,
      GEMINI_KEY_POOL_PREFIX: this.poolPrefix,
      RECS_REDIS_NAMESPACE: this.namespace,
      GEMINI_API_KEYS: this.keys.map((k) => `${k.project}:${k.key}`).join(','),
      GEMINI_BASE_URL: this.emulator.url,
      GEMINI_MODEL: MODEL,
      GEMINI_MAX_REQUESTS_PER_MINUTE: 10_000,
      GEMINI_MAX_REQUESTS_PER_KEY: 100_000,
      GEMINI_TIMEOUT_MS: 5_000,
      WORKER_METRICS_PORT: 0,
      WORKER_CONCURRENCY: 4,
      WORKER_STALLED_INTERVAL_MS: 1_000,
      WORKER_JOB_TIMEOUT_MS: 20_000,
      WORKER_MAX_PAUSE_MS: 1_000,
      WORKER_CONFIG_RECHECK_MS: 1_500,
      WORKER_DRAIN_MS: 1_000,
      WORKER_SHUTDOWN_TIMEOUT_MS: 5_000,
      RECS_SCHEDULER_ENABLED: 'false',
      LOG_LEVEL: 'info',
      ...extra,
    };
    return Object.fromEntries(Object.entries(base).map(([k, v]) => [k, String(v)]));
  }

  /** Starts `apps/worker/src/main.ts` and waits until it serves jobs. */
  async startWorker(extra: Record<string, string | number> = {}): Promise<WorkerProcess> {
    const child = spawnNodeTs('apps/worker/src/main.ts', [], {
      cwd: ROOT,
      env: this.env(extra),
      echo: process.env.MEALWISE_TEST_ECHO === '1',
    });
    const started = JSON.parse(await child.waitForLine('"worker started"', 30_000)) as {
      metricsPort: number;
    };
    const w: WorkerProcess = {
      ...child,
      metricsPort: started.metricsPort,
      stop: async (graceMs = 15_000) => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await child.exited;
        clearTimeout(timer);
        this.#workers.delete(w);
        return code;
      },
    };
    this.#workers.add(w);
    return w;
  }

  /** Runs the real CLI (`pnpm mealwise …`) as a child process; stdout and stderr apart. */
  cli(
    args: string[],
    extra: Record<string, string | number> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--conditions=@mealwise/source', 'apps/cli/src/main.ts', ...args],
        { cwd: ROOT, env: { ...process.env, ...this.env(extra) }, maxBuffer: 16 * 2 ** 20 },
        (err, stdout, stderr) => {
          const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Active users by an independent query (the definition in DESIGN §4), ascending. */
  activeUsers(minOrders = 5, days = 30): Promise<number[]> {
    return activeUsers(this.db.url, minOrders, days);
  }

  async allUsers(): Promise<number[]> {
    const rows = await this.db.db.selectFrom('users').select('tgid').orderBy('tgid').execute();
    return rows.map((r) => Number(r.tgid));
  }

  /** Waits until the run summary says finished (and returns it). */
  async waitForRun(runId: string, timeoutMs = 60_000) {
    return waitFor(
      async () => {
        const s = await this.runs.get(runId);
        return s?.finished_at ? s : null;
      },
      { timeoutMs, intervalMs: 200, what: `run ${runId} to finish` },
    );
  }

  /** Every job of the user queue, in any state. */
  async userJobs(): Promise<Job<UserJobData>[]> {
    return this.userQueue.getJobs(['wait', 'active', 'delayed', 'completed', 'failed', 'prioritized'], 0, -1);
  }

  /** generateContent requests the emulator answered 200 (a generation reached the model and came back). */
  okCalls(): number {
    return this.emulator.stats().byReason.ok ?? 0;
  }

  async metrics(w: WorkerProcess): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`);
    return res.text();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#workers].map((w) => w.stop(5_000)));
    await this.producer.close();
    await this.userQueue.close();
    await this.emulator.close();
    for (const p of [`${this.bullPrefix}:`, this.poolPrefix, this.namespace])
      await deleteByPrefix(this.redis, p);
    await closeRedis(this.redis);
    if (this.#ownsDb) await this.db.dispose();
  }
}

export function testKey(project: string): TestKey {
  const key = `test-key-${randomUUID()}`;
  return { key, project, fingerprint: fingerprintOf(key) };
}

/** Parsed JSON log lines of a process (non-JSON lines skipped). */
export function logLines(p: Spawned): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of p.lines) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // a line cut by a kill
    }
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Demo data whose active users stay the same for the whole test file: the tests compare a run's
 * total with the active users they listed at the start.
 */
export async function seedForE2e(
  db: MigratedTestDatabase,
  seed: { users: number; seed: number },
): Promise<void> {
  await seedDemoData(db.url, seed);
  await clearActivityEdge(db.db);
}
