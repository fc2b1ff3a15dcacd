// One load-generating process of bench/key-pool: CONCURRENCY loops calling `acquire` (or a bare
// INCR, the baseline) from START_AT for DURATION_MS, then one `result {...}` line on stdout and the
// per-call latencies (ms, Float64) in LATENCY_FILE. Configured by the JSON in KP_BENCH_JOB.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { KeyPool, NoCapacityError, type PoolKey, type PoolLimits } from '@mealwise/key-pool';
import { createRedis } from '@mealwise/redis';

export interface Job {
  mode: 'incr' | 'acquire' | 'binding';
  redisUrl: string;
  prefix: string;
  keys: PoolKey[];
  limits: PoolLimits;
  concurrency: number;
  /** Redis key the orchestrator sets to the start time (ms) once every worker is ready. */
  startKey: string;
  durationMs: number;
  latencyFile: string;
  /** Binding mode: the shared accelerated clock (virtual = t0Virtual + (real - start) * speed). */
  speed?: number;
  t0Virtual?: number;
}

const job = JSON.parse(process.env.KP_BENCH_JOB ?? '') as Job;
const MODEL = 'gemini-2.5-flash-lite';
const redis = createRedis(job.redisUrl, { role: 'command', name: 'bench-key-pool' });
const speed = job.speed ?? 1;
let startAt = Number.POSITIVE_INFINITY;
const now = job.mode === 'binding' ? () => job.t0Virtual! + (Date.now() - startAt) * speed : undefined;
const pool = new KeyPool({
  redis,
  keys: job.keys,
  limits: job.limits,
  prefix: job.prefix,
  models: [MODEL],
  ...(now ? { now } : {}),
});
const incrKey = `${job.prefix}incr`;
let endAt = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const latencies: number[] = [];
const admissions: [string, number][] = [];
let refusals = 0;

async function loop(): Promise<void> {
  while (Date.now() < endAt) {
    const t = performance.now();
    if (job.mode === 'incr') {
      await redis.incr(incrKey);
      latencies.push(performance.now() - t);
      continue;
    }
    try {
      const lease = await pool.acquire(MODEL);
      latencies.push(performance.now() - t);
      if (job.mode === 'binding') admissions.push([lease.project, lease.admittedAt]);
    } catch (err) {
      if (!(err instanceof NoCapacityError) || err.retryAfterMs === null) throw err;
      refusals++;
      // Pause exactly until capacity returns (scaled to real time), as the worker's queue would.
      await sleep(Math.min(err.retryAfterMs / speed, endAt - Date.now()));
    }
  }
}

await redis.ping();
await pool.acquire('warm-up').catch(() => undefined); // loads the scripts before the clock starts
console.log('ready');
for (;;) {
  const v = await redis.get(job.startKey);
  if (v) {
    startAt = Number(v);
    break;
  }
  await sleep(10);
}
endAt = startAt + job.durationMs;
await sleep(startAt - Date.now());
await Promise.all(Array.from({ length: job.concurrency }, loop));
const elapsedMs = Date.now() - startAt;
writeFileSync(job.latencyFile, Buffer.from(new Float64Array(latencies).buffer));
console.log(`result ${JSON.stringify({ ops: latencies.length, elapsedMs, refusals, admissions })}`);
await redis.quit();
