// bench/key-pool: what atomic Lua admission costs, and whether it holds under binding limits.
//
// 1. Throughput: PROCS processes × CONCURRENCY concurrent callers, against a pool of 20 keys in 10
//    projects whose limits never bind, alternating with the same processes/callers doing a bare
//    Redis INCR (the same-run baseline), ROUNDS times each. Admissions/s and latency percentiles.
// 2. Binding limits: the same callers against a small RPM. Every process runs the pool on one
//    shared clock accelerated SPEED times (virtual = T0 + (real - start) × SPEED; the scripts take
//    the injected time instead of Redis TIME), so BIND_SECONDS of real time cover several 60 s
//    windows. Callers refused with NoCapacityError sleep until `retryAt`, as the worker's queue
//    would. Overruns (an admission with RPM others in the 60 s before it) must be 0; admissions
//    are compared with the maximum the limits allow over the measured interval.
//
// Env: KP_BENCH_PROCS (4), KP_BENCH_CONCURRENCY (50), KP_BENCH_SECONDS (4, per phase and round),
// KP_BENCH_ROUNDS (2), KP_BENCH_BIND_RPM (20), KP_BENCH_SPEED (60), KP_BENCH_BIND_SECONDS (4.5),
// REDIS_URL.
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint, type PoolKey } from '@mealwise/key-pool';
import { createRedis } from '@mealwise/redis';
import { deleteByPrefix, spawnNodeTs, uniquePrefix } from '@mealwise/testing';
import { percentile, round, writeResult } from '../lib/result.ts';
import type { Job } from './worker.ts';

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const PROCS = num('KP_BENCH_PROCS', 4);
const CONCURRENCY = num('KP_BENCH_CONCURRENCY', 50);
const SECONDS = num('KP_BENCH_SECONDS', 4);
const ROUNDS = num('KP_BENCH_ROUNDS', 2);
const BIND_RPM = num('KP_BENCH_BIND_RPM', 20);
const SPEED = num('KP_BENCH_SPEED', 60);
const BIND_SECONDS = num('KP_BENCH_BIND_SECONDS', 4.5);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROJECTS = 10;
const KEYS = 20;
const WINDOW = 60_000;
const WORKER = new URL('./worker.ts', import.meta.url).pathname;

const keys: PoolKey[] = Array.from({ length: KEYS }, (_, i) => {
  const key = `bench-key-${randomUUID()}`;
  return { key, fingerprint: fingerprint(key), project: `bench-p${i % PROJECTS}` };
});

interface PhaseResult {
  ops: number;
  elapsedMs: number;
  refusals: number;
  admissions: [string, number][];
  latencies: number[];
}

async function phase(
  job: Omit<Job, 'startKey' | 'latencyFile' | 'concurrency' | 'redisUrl'>,
): Promise<PhaseResult> {
  const files = Array.from({ length: PROCS }, () => join(tmpdir(), `kp-bench-${randomUUID()}.f64`));
  const startKey = `${job.prefix}start:${randomUUID()}`;
  const children = files.map((latencyFile) =>
    spawnNodeTs(WORKER, [], {
      env: {
        KP_BENCH_JOB: JSON.stringify({
          ...job,
          redisUrl: REDIS_URL,
          concurrency: CONCURRENCY,
          latencyFile,
          startKey,
        } satisfies Job),
      },
    }),
  );
  try {
    await Promise.all(children.map((c) => c.waitForLine('ready', 60_000)));
    // Every worker polls this key every 10 ms: 200 ms of notice starts them together.
    await redis.set(startKey, String(Date.now() + 200), 'PX', 600_000);
    const lines = await Promise.all(children.map((c) => c.waitForLine(/^result /, job.durationMs + 60_000)));
    const results = lines.map((l) => JSON.parse(l.slice(7)) as Omit<PhaseResult, 'latencies'>);
    const latencies: number[] = [];
    for (const f of files) {
      const buf = readFileSync(f);
      for (const v of new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8)) latencies.push(v);
    }
    return {
      ops: results.reduce((s, r) => s + r.ops, 0),
      elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
      refusals: results.reduce((s, r) => s + r.refusals, 0),
      admissions: results.flatMap((r) => r.admissions),
      latencies,
    };
  } finally {
    for (const c of children) c.kill();
    for (const f of files) rmSync(f, { force: true });
  }
}

const redis = createRedis(REDIS_URL, { role: 'command', name: 'bench-key-pool' });
const prefixes: string[] = [];
const newPrefix = () => {
  const p = `${uniquePrefix('bench-kp')}:`;
  prefixes.push(p);
  return p;
};

try {
  // Limits far above what 200 callers reach in the run: admission is all that is measured.
  const open = { requestsPerMinute: 100_000_000, requestsPerDay: 1_000_000_000 };
  const incr = { ops: 0, ms: 0, lat: [] as number[] };
  const acq = { ops: 0, ms: 0, lat: [] as number[] };
  const prefix = newPrefix();
  for (let r = 0; r < ROUNDS; r++) {
    console.log(`round ${r + 1}/${ROUNDS}: INCR baseline`);
    const a = await phase({ mode: 'incr', prefix, keys, limits: open, durationMs: SECONDS * 1000 });
    incr.ops += a.ops;
    incr.ms += a.elapsedMs;
    for (const v of a.latencies) incr.lat.push(v);
    console.log(`  ${Math.round((a.ops / a.elapsedMs) * 1000)} INCR/s`);
    console.log(`round ${r + 1}/${ROUNDS}: acquire`);
    const b = await phase({ mode: 'acquire', prefix, keys, limits: open, durationMs: SECONDS * 1000 });
    if (b.refusals) throw new Error(`limits bound in the throughput phase (${b.refusals} refusals)`);
    acq.ops += b.ops;
    acq.ms += b.elapsedMs;
    for (const v of b.latencies) acq.lat.push(v);
    console.log(`  ${Math.round((b.ops / b.elapsedMs) * 1000)} admissions/s`);
  }
  const incrRate = (incr.ops / incr.ms) * 1000;
  const acqRate = (acq.ops / acq.ms) * 1000;

  console.log(`binding: ${BIND_RPM} RPM × ${PROJECTS} projects, clock ×${SPEED} for ${BIND_SECONDS} s`);
  const t0Virtual = Date.parse('2026-05-01T12:00:00Z');
  const bindLimits = { requestsPerMinute: BIND_RPM, requestsPerDay: 1_000_000 };
  const bind = await phase({
    mode: 'binding',
    prefix: newPrefix(),
    keys,
    limits: bindLimits,
    durationMs: BIND_SECONDS * 1000,
    speed: SPEED,
    t0Virtual,
  });
  const intervalMs = BIND_SECONDS * 1000 * SPEED;
  const byProject = new Map<string, number[]>();
  for (const [p, at] of bind.admissions) {
    if (at < t0Virtual || at >= t0Virtual + intervalMs) continue;
    byProject.set(p, [...(byProject.get(p) ?? []), at]);
  }
  let overruns = 0;
  let achieved = 0;
  for (const times of byProject.values()) {
    times.sort((x, y) => x - y);
    achieved += times.length;
    for (let i = BIND_RPM; i < times.length; i++) if (times[i]! - times[i - BIND_RPM]! < WINDOW) overruns++;
  }
  // From empty windows, a rolling limit allows RPM admissions per started 60 s of the interval.
  const theoretical = PROJECTS * BIND_RPM * Math.ceil(intervalMs / WINDOW);

  const rows = [
    {
      metric: 'acquire admissions/s (limits not binding)',
      value: round(acqRate, 0),
      unit: 'ops/s',
      baseline: { label: 'INCR loop, same processes and callers', value: round(incrRate, 0) },
      target: '≥ 50 % of baseline',
      met: acqRate >= 0.5 * incrRate,
    },
    {
      metric: 'acquire p50 latency',
      value: round(percentile(acq.lat, 50), 3),
      unit: 'ms',
      baseline: { label: 'INCR p50', value: round(percentile(incr.lat, 50), 3) },
    },
    {
      metric: 'acquire p99 latency',
      value: round(percentile(acq.lat, 99), 3),
      unit: 'ms',
      baseline: { label: 'INCR p99', value: round(percentile(incr.lat, 99), 3) },
    },
    {
      metric: 'overruns under binding limits (admissions beyond RPM in a 60 s window)',
      value: overruns,
      unit: '',
      target: '0',
      met: overruns === 0,
    },
    {
      metric: 'admissions under binding limits vs theoretical maximum',
      value: achieved,
      unit: 'admissions',
      baseline: { label: 'maximum the limits allow over the interval', value: theoretical },
      target: '≥ 95 %',
      met: achieved >= 0.95 * theoretical,
    },
  ];
  const result = writeResult(
    'key-pool',
    {
      processes: PROCS,
      callersPerProcess: CONCURRENCY,
      keys: KEYS,
      projects: PROJECTS,
      secondsPerPhase: SECONDS,
      rounds: ROUNDS,
      bindingRpm: BIND_RPM,
      bindingClockSpeed: SPEED,
      bindingRealSeconds: BIND_SECONDS,
      bindingVirtualSeconds: intervalMs / 1000,
    },
    rows,
    [
      'Throughput phases alternate INCR and acquire rounds so drift in machine load hits both alike.',
      `Binding phase: ${bind.refusals} refusals (callers slept until retryAt); clock injected into the scripts and accelerated ×${SPEED}, so ${BIND_SECONDS} s real = ${intervalMs / 1000} s of 60 s windows.`,
    ],
  );
  for (const row of result.rows) {
    console.log(
      `${row.metric}: ${row.value} ${row.unit}${row.baseline ? ` (baseline ${row.baseline.value}, ratio ${round((row.ratio ?? 0) * 100, 1)} %)` : ''}${row.met === undefined ? '' : row.met ? ' ✓' : ' ✗'}`,
    );
  }
} finally {
  for (const p of prefixes) await deleteByPrefix(redis, p);
  await redis.quit();
}
