// One scenario's whole world: its own seeded PostgreSQL database (optionally behind a TCP proxy
// it can cut), its own redis-server with AOF, the Gemini emulator as a child process, and the
// real worker / API / CLI processes started with one environment. Everything it starts is
// registered and reaped by `stop()` (and by the process exit hook if a test dies first).
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigPatch, EmulatorStats } from '@mealwise/gemini-emulator';
import { fingerprintOf } from '@mealwise/gemini-emulator';
import { RecsProducer, RunSummaryStore } from '@mealwise/jobs';
import { closeRedis, createRedis } from '@mealwise/redis';
import { freePort, type TestDatabase, waitFor } from '@mealwise/testing';
import { activeUsers, createSeededDatabase, DAYS, MIN_ORDERS } from './database.ts';
import { startEmulatorProcess } from './emulator.ts';
import { checkInvariants } from './invariants.ts';
import { reapAll, startProcess } from './processes.ts';
import { startTcpProxy, type TcpProxy } from './proxy.ts';
import { startRedisServer } from './redis-server.ts';
import { type SecretSpec, scanSecrets } from './secrets.ts';

export const ROOT = new URL('../../../../', import.meta.url).pathname;
export const MODEL = 'gemini-2.5-flash-lite';
export const ARTIFACTS_ROOT = join(ROOT, 'packages/chaos/test-results/artifacts');

export type { ApiHandle, Stack, StackOptions, Tokens, WorkerHandle } from './stack-types.ts';

import type { ApiHandle, Stack, StackOptions, Tokens, WorkerHandle } from './stack-types.ts';

const str = (o: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));

function parseKeys(spec: string) {
  return spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => {
      const i = e.indexOf(':');
      const project = i > 0 ? e.slice(0, i) : `key-${fingerprintOf(e)}`;
      const key = i > 0 ? e.slice(i + 1) : e;
      return { project, key, fingerprint: fingerprintOf(key) };
    });
}

const secret = (label: string) => `${label}-${randomBytes(18).toString('base64url')}`;

export async function startStack(o: StackOptions): Promise<Stack> {
  const users = o.users ?? 200;
  const artifactsDir = join(ARTIFACTS_ROOT, o.name);
  rmSync(artifactsDir, { recursive: true, force: true });
  mkdirSync(artifactsDir, { recursive: true });
  const echo = o.echo ?? process.env.MEALWISE_CHAOS_ECHO === '1';

  const keysSpec =
    o.keys ??
    ['chaosA', 'chaosB', 'chaosC'].map((p) => `${p}:AIzaChaos${randomUUID().replace(/-/g, '')}`).join(',');
  const keys = parseKeys(keysSpec);
  const tokens: Tokens = {
    api: secret('apitok'),
    admin: secret('admintok'),
    telegram: `${100000 + Math.floor(Math.random() * 899999)}:${randomBytes(26).toString('base64url')}`,
    bullBoardUser: 'chaos-operator',
    bullBoardPassword: secret('bbpass'),
  };

  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
    cleanups.length = 0;
  };

  try {
    const db: TestDatabase = await createSeededDatabase(users, o.seed ?? 7);
    cleanups.push(() => db.drop());
    const tgids = await activeUsers(db.url);

    let databaseUrl = db.url;
    let pgProxy: TcpProxy | undefined;
    if (o.pgProxy) {
      const u = new URL(db.url);
      pgProxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
      cleanups.push(() => pgProxy!.close());
      u.host = pgProxy.address;
      databaseUrl = u.toString();
    }

    const redisServer = await startRedisServer({ artifactsDir });
    cleanups.push(() => redisServer.stop());

    const emuIn = o.emulator ?? {};
    const emulator = await startEmulatorProcess({
      root: ROOT,
      artifactsDir,
      config: {
        models: { [MODEL]: { rpm: 6_000, rpd: 1_000_000 } },
        latency: { baseMs: 20, jitterMs: 40 },
        seed: 42,
        ...emuIn,
        keys: {
          ...Object.fromEntries(keys.map((k) => [k.key, { project: k.project }])),
          ...emuIn.keys,
        },
      },
    });
    cleanups.push(() => emulator.stop());

    const redis = createRedis(redisServer.url, { role: 'queue', name: 'mealwise:chaos' });
    cleanups.push(() => closeRedis(redis));
    const runs = new RunSummaryStore({ redis, prefix: 'recs:' });
    const producer = new RecsProducer({ connection: redis });
    // Redis restarts are the point of some scenarios: the harness's queues reconnect quietly.
    producer.batchQueue.on('error', () => {});
    producer.userQueue.on('error', () => {});
    cleanups.push(() => producer.close());

    const baseEnv: Record<string, string | number> = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisServer.url,
      GEMINI_API_KEYS: keysSpec,
      GEMINI_BASE_URL: emulator.url,
      GEMINI_MODEL: MODEL,
      // The pool's limits equal the emulator's: an overrun would show as a 429 or a window over RPM.
      GEMINI_MAX_REQUESTS_PER_MINUTE: 6_000,
      GEMINI_MAX_REQUESTS_PER_KEY: 1_000_000,
      GEMINI_TIMEOUT_MS: 5_000,
      RECS_MIN_ORDERS: MIN_ORDERS,
      RECS_DAYS: DAYS,
      RECS_SCHEDULER_ENABLED: 'false',
      WORKER_METRICS_PORT: 0,
      WORKER_CONCURRENCY: 8,
      WORKER_STALLED_INTERVAL_MS: 2_000,
      WORKER_JOB_TIMEOUT_MS: 20_000,
      WORKER_MAX_PAUSE_MS: 2_000,
      WORKER_CONFIG_RECHECK_MS: 2_000,
      WORKER_RETRY_DELAY_MS: 1_000,
      WORKER_DRAIN_MS: 1_000,
      WORKER_SHUTDOWN_TIMEOUT_MS: 5_000,
      API_TOKENS: tokens.api,
      ADMIN_TOKEN: tokens.admin,
      TELEGRAM_BOT_TOKEN: tokens.telegram,
      BULL_BOARD_USER: tokens.bullBoardUser,
      BULL_BOARD_PASSWORD: tokens.bullBoardPassword,
      API_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...o.env,
    };
    const env = (extra: Record<string, string | number> = {}) => str({ ...baseEnv, ...extra });

    const secrets: SecretSpec[] = [
      ...keys.map((k) => ({ label: `GEMINI key ${k.project} (fingerprint ${k.fingerprint})`, value: k.key })),
      { label: 'API token', value: tokens.api },
      { label: 'admin token', value: tokens.admin },
      { label: 'Telegram bot token', value: tokens.telegram },
      { label: 'Bull Board password', value: tokens.bullBoardPassword },
    ];
    const workers: WorkerHandle[] = [];
    const apis: ApiHandle[] = [];
    const noted: { where: string; text: string }[] = [];
    let cliCount = 0;

    const stack: Stack = {
      name: o.name,
      artifactsDir,
      users,
      tgids,
      databaseUrl,
      directDatabaseUrl: db.url,
      redisUrl: redisServer.url,
      redisServer,
      pgProxy,
      redis,
      runs,
      producer,
      keys,
      tokens,
      secrets,
      poolPrefix: 'gemini:',
      recordPrefix: 'recommendations:user:',
      bullPrefix: 'bull',
      emulator,
      workers,
      apis,
      env,
      async startWorker(extra = {}) {
        const label = `worker-${workers.length + 1}`;
        const p = startProcess('apps/worker/src/main.ts', [], {
          kind: 'node-ts',
          cwd: ROOT,
          env: env(extra),
          echo,
          label,
          logFile: join(artifactsDir, `${label}.log`),
        });
        const started = JSON.parse(await p.waitForLine('"worker started"', 60_000)) as {
          metricsPort: number;
        };
        const w: WorkerHandle = Object.assign(p, { metricsPort: started.metricsPort });
        workers.push(w);
        return w;
      },
      async startApi(extra = {}) {
        const label = `api-${apis.length + 1}`;
        const port = Number(extra.API_PORT ?? (await freePort()));
        const p = startProcess('apps/api/src/main.ts', [], {
          kind: 'node-ts',
          cwd: ROOT,
          env: env({ API_PORT: port, ...extra }),
          echo,
          label,
          logFile: join(artifactsDir, `${label}.log`),
        });
        await p.waitForLine('"listening"', 60_000);
        const a: ApiHandle = Object.assign(p, { port, url: `http://127.0.0.1:${port}` });
        apis.push(a);
        return a;
      },
      cli(args, extra = {}) {
        const n = ++cliCount;
        return new Promise((resolve) => {
          execFile(
            process.execPath,
            ['--conditions=@mealwise/source', 'apps/cli/src/main.ts', ...args],
            { cwd: ROOT, env: { ...process.env, ...env(extra) }, maxBuffer: 32 * 2 ** 20 },
            (err, stdout, stderr) => {
              const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
              noted.push({ where: `cli #${n} (${args.join(' ')}) stdout`, text: stdout });
              noted.push({ where: `cli #${n} (${args.join(' ')}) stderr`, text: stderr });
              resolve({ code, stdout, stderr });
            },
          );
        });
      },
      async triggerBatch({ via = 'cli', runId } = {}) {
        if (via === 'producer' || runId) return (await producer.enqueueBatch(runId ? { runId } : {})).runId;
        const r = await stack.cli(['batch', 'run', '--json']);
        if (r.code !== 0) throw new Error(`mealwise batch run failed (${r.code}): ${r.stderr}`);
        return (JSON.parse(r.stdout) as { run_id: string }).run_id;
      },
      waitForRun(runId, { timeoutMs = 120_000 } = {}) {
        return waitFor(
          async () => {
            const s = await runs.get(runId);
            return s?.finished_at ? s : null;
          },
          { timeoutMs, intervalMs: 250, what: `run ${runId} to finish` },
        );
      },
      async progress(runId) {
        const s = await runs.get(runId);
        if (!s) return 0;
        return (s.succeeded + s.skipped + s.failed) / Math.max(1, users);
      },
      async checkInvariants(runId) {
        const c = await emulator.config();
        return checkInvariants({
          runId,
          tgids,
          redis,
          runs,
          workerLogs: workers.map((w) => w.lines),
          emulatorStats: () => emulator.stats(),
          rpmOf: (project, model) => c.projects[project]?.limits[model]?.rpm ?? c.models[model]?.rpm,
        });
      },
      noteText(where, text) {
        noted.push({ where, text });
      },
      async scanSecrets({ extra = [], throwOnHit = true } = {}) {
        const metrics: { where: string; text: string }[] = [];
        for (const w of workers.filter((x) => !x.dead)) {
          const text = await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`).then(
            (r) => r.text(),
            () => '',
          );
          metrics.push({ where: `${w.label} /metrics`, text });
        }
        for (const a of apis.filter((x) => !x.dead)) {
          const text = await fetch(`${a.url}/metrics`).then(
            (r) => r.text(),
            () => '',
          );
          metrics.push({ where: `${a.label} /metrics`, text });
        }
        const secrets: SecretSpec[] = [
          ...keys.map((k) => ({
            label: `GEMINI key ${k.project} (fingerprint ${k.fingerprint})`,
            value: k.key,
          })),
          { label: 'API token', value: tokens.api },
          { label: 'admin token', value: tokens.admin },
          { label: 'Telegram bot token', value: tokens.telegram },
          { label: 'Bull Board password', value: tokens.bullBoardPassword },
          ...extra,
        ];
        const hits = await scanSecrets({
          secrets,
          dirs: [artifactsDir],
          redis,
          texts: [...metrics, ...noted],
        });
        if (hits.length && throwOnHit)
          throw new Error(`secrets found:\n${hits.map((h) => `  ${h.secret} in ${h.where}`).join('\n')}`);
        return hits;
      },
      async stop() {
        await Promise.all([...workers, ...apis].map((p) => p.stop(5_000)));
        await cleanup();
      },
    };
    return stack;
  } catch (err) {
    await reapAll();
    await cleanup();
    throw err;
  }
}

export type { ConfigPatch, EmulatorStats };
