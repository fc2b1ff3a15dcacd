#!/usr/bin/env node
// `pnpm demo`: mealwise end to end on this machine, offline. Composition root: reads the demo's
// arguments and environment, starts and stops the child processes, prints what happened.
// Exit codes: 0 ok, 1 something failed, 2 usage, 78 invalid configuration, 130 interrupted.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatStartupError } from '@mealwise/config';
import { RunSummaryStore } from '@mealwise/jobs';
import { geminiPoolEnv, KeyPool, poolOptionsFromEnv } from '@mealwise/key-pool';
import { Redis } from 'ioredis';
import { DemoUsageError, parseDemoArgs, USAGE } from './args.ts';
import { startBatch, watchRun } from './batch.ts';
import { Children } from './children.ts';
import { parseEnv } from './env.ts';
import { prepareDatabase, resetDemoRedis } from './prepare.ts';
import { printReport } from './print.ts';
import { seedReporter } from './seed-progress.ts';
import { howToStart, unreachableServices } from './services.ts';
import { DEMO_REDIS_PATTERNS, demoCredentials, demoKeyList, demoSettings } from './settings.ts';
import { choosePort, sharedEnv, startApi, startEmulator, startWorker } from './start.ts';

const say = (s = '') => process.stdout.write(`${s}\n`);

let args: ReturnType<typeof parseDemoArgs>;
let settings: ReturnType<typeof demoSettings>;
try {
  args = parseDemoArgs(process.argv.slice(2));
  settings = demoSettings(process.env);
} catch (err) {
  if (err instanceof DemoUsageError) {
    process.stderr.write(`demo: ${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const { message, exitCode } = formatStartupError(err);
  process.stderr.write(`demo: ${message}\n`);
  process.exit(exitCode);
}
if (args.help) {
  say(USAGE);
  process.exit(0);
}

const interactive = !args.ci && Boolean(process.stderr.isTTY);
const logDir = mkdtempSync(join(tmpdir(), 'mealwise-demo-'));
const children = new Children(logDir);
const failure = new Promise<never>((_, reject) => children.onUnexpectedExit(reject));
failure.catch(() => {});

let finishing = false;
let reportDone = false;
async function finish(code: number, why?: string): Promise<never> {
  if (finishing) process.exit(code);
  finishing = true;
  if (why) say(why);
  if (children.started.length) {
    say(`stopping ${children.started.map((c) => `${c.name} (pid ${c.pid})`).join(', ')}…`);
    await children.stopAll();
    say('stopped.');
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // Once the report is out, Ctrl-C is how the demo ends: exit 0. Before that it is an interruption.
  process.on(signal, () => void finish(reportDone ? 0 : 130, `\n${signal}`));
}

try {
  say(`mealwise demo — logs of every process in ${logDir}`);

  const down = await unreachableServices(settings.databaseUrl, settings.redisUrl);
  if (down.length) {
    process.stderr.write(`\n${howToStart(down)}\n`);
    await finish(1);
  }

  say(`\n▸ PostgreSQL: migrating ${settings.databaseUrl} and seeding ${args.users} demo users…`);
  const progress = seedReporter(interactive, say);
  const seed = await prepareDatabase(settings.databaseUrl, {
    users: args.users,
    seed: 42,
    onProgress: (p) => progress.update(p),
  }).finally(() => progress.stop());
  say(
    `  ${seed.users} users, ${seed.orders} orders (${seed.cancelledOrders} cancelled), ${seed.dishes} dishes in ${seed.cafes} cafes`,
  );

  const cleared = await resetDemoRedis(settings.redisUrl, DEMO_REDIS_PATTERNS);
  say(`▸ Redis: ${settings.redisUrl} (cleared ${cleared} keys of an earlier demo run)`);

  const credentials = demoCredentials();
  const keys = demoKeyList();
  const emulatorUrl = await Promise.race([startEmulator(children), failure]);
  const env = sharedEnv({ ...settings, keys, emulatorUrl });
  const workerUrl = await Promise.race([startWorker(children, env), failure]);
  const apiPort = await choosePort(args.apiPort ?? 3000);
  const apiUrl = await Promise.race([startApi(children, env, apiPort, credentials), failure]);
  say(`▸ started ${children.started.map((c) => `${c.name} (pid ${c.pid})`).join(', ')}`);
  say(
    `  Gemini emulator ${emulatorUrl}: 2 projects × ${env.GEMINI_MAX_REQUESTS_PER_MINUTE} requests/min, one revoked key`,
  );
  const envFile = join(logDir, 'demo.env');
  writeFileSync(
    envFile,
    `${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );

  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
  const pool = new KeyPool({ redis, ...poolOptionsFromEnv(parseEnv(geminiPoolEnv, env)) });
  const runs = new RunSummaryStore({ redis });

  const runId = await startBatch(apiUrl, credentials.adminToken);
  say(`\n▸ batch ${runId} started (POST /v1/admin/batches); the pool paces it to the emulator's quota`);
  const summary = await watchRun({
    runs,
    pool,
    runId,
    interactive,
    timeoutMs: args.timeoutSec * 1000,
    write: (s) => process.stdout.write(s),
    failure,
  });

  const ok = await printReport({
    say,
    summary,
    env,
    envFile,
    redis,
    credentials,
    urls: { api: apiUrl, worker: workerUrl, emulator: emulatorUrl },
  });
  redis.disconnect();
  reportDone = true;

  if (args.stay) {
    say(
      `\nThe services keep running — press Ctrl-C to stop them (${children.started.map((c) => `pid ${c.pid}`).join(', ')}).`,
    );
    await failure.catch((err: Error) => finish(1, `\n${err.message}`));
  } else {
    await finish(ok ? 0 : 1, ok ? '\ndemo: everything checked out.' : '\ndemo: FAILED (see above).');
  }
} catch (err) {
  await finish(1, `\ndemo failed: ${(err as Error).message}`);
}
