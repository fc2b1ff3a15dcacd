// bench/api: the cache-hit route of the real API (auth, metrics, security headers, request ids
// on; LOG_LEVEL=warn) against the floor — a bare node:http + ioredis server doing only the
// Redis GET — on the same cached record, same Redis, 100 connections, alternating order.
// Parameters (env): BENCH_API_DURATION (s, 8), BENCH_API_WARMUP (s, 3), BENCH_API_CONNECTIONS
// (100), BENCH_API_ROUNDS (4), BENCH_API_CPU_PROF (a directory: profile the API there, the bare server in <dir>/bare),
// BENCH_API_RATE (req/s: a fixed rate instead of saturation, to compare CPU per request).
// The machine is shared and its load drifts within seconds, so each round measures the servers
// back to back (order alternating) and the headline ratio is the median of the per-round ratios.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesAdvice } from '@mealwise/recs';
import { sampleRecord, sampleStats } from '@mealwise/recs/testing';
import { freePort, type Spawned, spawnNodeTs, spawnProcess, startOwnRedis, waitFor } from '@mealwise/testing';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { round, writeResult } from '../lib/result.ts';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const DURATION = num('BENCH_API_DURATION', 8);
const WARMUP = num('BENCH_API_WARMUP', 3);
const CONNECTIONS = num('BENCH_API_CONNECTIONS', 100);
const ROUNDS = num('BENCH_API_ROUNDS', 4);
const CPU_PROF = process.env.BENCH_API_CPU_PROF;
// Optional fixed request rate (req/s) instead of saturation: CPU per request at equal load.
const RATE = process.env.BENCH_API_RATE ? Number(process.env.BENCH_API_RATE) : undefined;

const root = new URL('../../', import.meta.url).pathname;
const TGID = 279058397;
const TOKEN = `bench-${randomUUID()}`;
// The sample user's record with full-length advice text (rules wording), so the payload is the
// size of a real one rather than the fixture's short placeholder sentences.
const RECORD = JSON.stringify(sampleRecord(rulesAdvice(sampleStats())));

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Server CPU time (user + system) per request, µs: robust to a busy machine, unlike req/s. */
  cpuUs: number;
}

// utime + stime of a process, in clock ticks (USER_HZ = 100 on Linux).
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function load(url: string, seconds: number, pid: number): Promise<Measured> {
  const ticks = cpuTicks(pid);
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${TOKEN}` },
    ...(RATE ? { overallRate: RATE } : {}),
  });
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  const cpuUs = ((cpuTicks(pid) - ticks) * 10_000) / r.requests.total;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    cpuUs,
  };
}

/** Waits until `url` answers (the API logs "listening" at info level, below LOG_LEVEL=warn). */
async function started(proc: Spawned, url: string, what: string): Promise<Spawned> {
  await waitFor(
    () =>
      fetch(url).then(
        (r) => r.status < 500,
        () => false,
      ),
    { timeoutMs: 60_000, what },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last output:\n${proc.lines.slice(-10).join('\n')}`);
  });
  return proc;
}

const procs: Spawned[] = [];
// Whatever ends this process (an error, a closed stdout), the servers it started end with it.
process.on('exit', () => {
  for (const p of procs) p.kill('SIGTERM');
});
try {
  const ownRedis = await startOwnRedis();
  procs.push(ownRedis.process);
  const redisUrl = ownRedis.url;
  const seed = new Redis(redisUrl);
  await seed.set(`recommendations:user:${TGID}`, RECORD);
  await seed.quit();

  const apiPort = await freePort();
  const barePort = await freePort();
  const api = await started(
    spawnProcess(
      process.execPath,
      [
        '--conditions=@mealwise/source',
        ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []),
        join(root, 'apps/api/src/main.ts'),
      ],
      {
        env: {
          NODE_ENV: 'production',
          API_PORT: String(apiPort),
          API_HOST: '127.0.0.1',
          REDIS_URL: redisUrl,
          API_TOKENS: TOKEN,
          ADMIN_TOKEN: `bench-admin-${randomUUID()}`,
          LOG_LEVEL: 'warn',
        },
      },
    ),
    `http://127.0.0.1:${apiPort}/healthz`,
    'api',
  );
  procs.push(api);
  const bare = await started(
    spawnNodeTs(join(root, 'bench/api/bare-server.ts'), [String(barePort), redisUrl], {
      env: CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${CPU_PROF}/bare` } : {},
    }),
    `http://127.0.0.1:${barePort}/v1/users/${TGID}/recommendations`,
    'bare server',
  );
  procs.push(bare);

  const path = `/v1/users/${TGID}/recommendations`;
  const targets = {
    api: `http://127.0.0.1:${apiPort}${path}`,
    bare: `http://127.0.0.1:${barePort}${path}`,
  };
  const pids = { api: api.pid, bare: bare.pid };
  const runs: Record<keyof typeof targets, Measured[]> = { api: [], bare: [] };
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate the order so neither side always runs on a warmer (or hotter) machine.
    const order = i % 2 === 0 ? (['api', 'bare'] as const) : (['bare', 'api'] as const);
    for (const name of order) {
      if (WARMUP > 0) await load(targets[name], WARMUP, pids[name]);
      const m = await load(targets[name], DURATION, pids[name]);
      runs[name].push(m);
      console.log(
        `round ${i + 1} ${name}: ${Math.round(m.rps)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.cpuUs.toFixed(1)} µs CPU/request`,
      );
    }
  }

  const median = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  const agg = (ms: Measured[]) => ({
    rps: median(ms.map((m) => m.rps)),
    p50: median(ms.map((m) => m.p50)),
    p99: median(ms.map((m) => m.p99)),
    cpuUs: median(ms.map((m) => m.cpuUs)),
  });
  const pairedRatio = (of: Measured[], to: Measured[], pick: (m: Measured) => number) =>
    median(of.map((m, i) => pick(m) / pick(to[i]!)));
  const a = agg(runs.api);
  const b = agg(runs.bare);
  const ratio = pairedRatio(runs.api, runs.bare, (m) => m.rps);
  const result = writeResult(
    'api',
    {
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      warmupSeconds: WARMUP,
      rounds: ROUNDS,
      ...(RATE ? { rate: RATE } : {}),
      recordBytes: Buffer.byteLength(RECORD),
    },
    [
      {
        metric:
          'cache-hit GET /v1/users/:tgid/recommendations (bearer auth, metrics, helmet headers) throughput',
        value: round(a.rps, 0),
        unit: 'req/s',
        baseline: { label: 'bare node:http + ioredis GET', value: round(b.rps, 0) },
        ratio: round(ratio, 3),
        target: '≥ 60 % of the bare server',
        met: ratio >= 0.6,
      },
      {
        metric: 'cache-hit p99 latency',
        value: round(a.p99, 1),
        unit: 'ms',
        baseline: { label: 'bare', value: round(b.p99, 1) },
        target: '≤ 20 ms',
        met: a.p99 <= 20,
      },
      {
        metric: 'server CPU time per cache-hit request',
        value: round(a.cpuUs, 1),
        unit: 'µs',
        baseline: { label: 'bare', value: round(b.cpuUs, 1) },
        ratio: round(
          pairedRatio(runs.api, runs.bare, (m) => m.cpuUs),
          3,
        ),
      },
      {
        metric: 'cache-hit p50 latency',
        value: round(a.p50, 1),
        unit: 'ms',
        baseline: { label: 'bare', value: round(b.p50, 1) },
      },
    ],
    [
      `Per round (req/s, p50/p99 ms, µs CPU/request): ${runs.api
        .map((m, i) =>
          [
            `api ${Math.round(m.rps)} ${m.p50}/${m.p99} ${m.cpuUs.toFixed(0)}`,
            `bare ${Math.round(runs.bare[i]!.rps)} ${runs.bare[i]!.p50}/${runs.bare[i]!.p99} ${runs.bare[i]!.cpuUs.toFixed(0)}`,
          ].join(', '),
        )
        .join('; ')}.`,
      'CPU time per request (utime + stime of the server process over the measured run, 10 ms ticks) is less sensitive than req/s to what else runs on the machine, though contention still inflates it; on a quiet machine the throughput ratio should approach the inverse of the CPU ratio.',
      'Values are medians over the rounds; ratios are medians of the per-round ratios (servers measured back to back in each round).',
      'Both servers are child processes reading the same record from the same private redis-server; autocannon runs in the bench process. The machine has 2 cores, shared by the server, autocannon and Redis — the ratio is what counts.',
      'The API is started as in production (NODE_ENV=production, LOG_LEVEL=warn) with bearer auth, request ids, helmet headers, the duration histogram and process metrics on (CORS_ORIGINS empty); only hits are measured (misses need PostgreSQL).',
    ],
  );
  console.log(JSON.stringify(result.rows, null, 2));
} finally {
  for (const p of procs.reverse()) {
    p.kill('SIGTERM');
    await p.exited;
  }
}
