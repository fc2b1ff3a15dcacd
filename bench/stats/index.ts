// bench/stats: the orders database at production scale (issue 2). On the 100k-user demo dataset:
// seed time; getUserStats latency over random active users against a same-run `SELECT 1` floor;
// time to iterate every active user against a single COUNT over the same rows; and memory while
// iterating (10k users vs all vs all five times: flat means the iterator holds a page, not users).
//
// Parameters (environment): BENCH_STATS_USERS (100000), BENCH_STATS_SEED (42),
// BENCH_STATS_SAMPLES (2000), BENCH_STATS_RESEED=1 to re-seed (and re-measure the seed time) even
// when the dataset matches, BENCH_STATS_DATABASE_URL (postgres://postgres@127.0.0.1:5432/mealwise_bench).
import { spawnSync } from 'node:child_process';
import { createDb } from '@mealwise/db';
import { StatsService } from '@mealwise/stats';
import { sql } from 'kysely';
import { intEnv } from '../lib/env.ts';
import { type BenchRow, percentile, round, writeResult } from '../lib/result.ts';
import { prepareDataset } from './dataset.ts';

const USERS = intEnv('BENCH_STATS_USERS', 100_000);
const SEED = intEnv('BENCH_STATS_SEED', 42);
const SAMPLES = intEnv('BENCH_STATS_SAMPLES', 2000);
const RESEED = process.env.BENCH_STATS_RESEED === '1';
const URL_ = process.env.BENCH_STATS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mealwise_bench';
const MIN_ORDERS = 5;
const DAYS = 30;
const PAGE_SIZE = 1000;
const OLD_SPACE_CAP_MIB = 20;
const CHILD = new URL('./iterate.ts', import.meta.url).pathname;

const log = (s: string) => process.stderr.write(`${s}\n`);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const fmt = (n: number) => n.toLocaleString('en-US');

interface Iteration {
  n: number;
  ms: number;
  before: number;
  peak: number;
  growth: number;
  retained: number;
}

/** Iterates active users in a fresh child process (see iterate.ts). */
function iterate(now: Date, limit: number | 'all', passes = 1, nodeFlags: string[] = []): Iteration {
  const args = ['--conditions=@mealwise/source', '--expose-gc', ...nodeFlags, CHILD];
  const child = spawnSync(
    process.execPath,
    [...args, URL_, now.toISOString(), String(limit), String(passes)],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`iterate child failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Iteration;
}

const dataset = await prepareDataset(URL_, { users: USERS, seed: SEED, reseed: RESEED }, log);
const { summary } = dataset.marker;
const now = new Date(dataset.marker.now);
const db = createDb({ connectionString: URL_, max: 4, applicationName: 'mealwise-bench' });
// Pinned to the seed's `now`, so a dataset seeded days ago still has the same active users.
const stats = new StatsService(db, { clock: () => now });

try {
  // Every active user, collected once (setup, not measured) to draw the sample from.
  const active: number[] = [];
  for await (const page of stats.activeUsers({ minOrders: MIN_ORDERS, days: DAYS, pageSize: PAGE_SIZE })) {
    active.push(...page);
  }
  log(`active users: ${fmt(active.length)}`);

  // A fixed pseudo-random sample (LCG), so runs measure the same users.
  let state = SEED || 1;
  const sample = Array.from({ length: SAMPLES }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return active[state % active.length]!;
  });

  // Warm-up: connections, plan caches, the hot part of the indexes.
  for (const tgid of sample.slice(0, 200)) {
    await stats.getUserStats(tgid, { days: DAYS });
    await sql`SELECT 1`.execute(db);
  }

  // Interleaved, so both series see the same background noise of this shared machine.
  const statsMs: number[] = [];
  const floorMs: number[] = [];
  for (const tgid of sample) {
    let t = process.hrtime.bigint();
    await sql`SELECT 1`.execute(db);
    floorMs.push(ms(t));
    t = process.hrtime.bigint();
    await stats.getUserStats(tgid, { days: DAYS });
    statsMs.push(ms(t));
  }

  iterate(now, 'all'); // warm the page cache
  const tenK = iterate(now, 10_000);
  const all = iterate(now, 'all');
  const fiveTimes = iterate(now, 'all', 5);
  // Old space capped far below what a list growing with users would need: V8 collects eagerly,
  // so peak RSS shows what the iteration really keeps.
  const capped = iterate(now, 'all', 5, [`--max-old-space-size=${OLD_SPACE_CAP_MIB}`]);

  const t = process.hrtime.bigint();
  const counted = await stats.countActiveUsers({ minOrders: MIN_ORDERS, days: DAYS });
  const countMs = ms(t);
  if (counted !== active.length || all.n !== active.length) {
    throw new Error(
      `active users disagree: count ${counted}, iteration ${all.n}, collected ${active.length}`,
    );
  }

  const rows: BenchRow[] = [
    {
      metric: `seed ${fmt(summary.users)} users (${fmt(summary.orders)} orders + ${fmt(summary.orderItems)} items)`,
      value: summary.seconds,
      unit: 's',
      target: '< 120 s',
      met: summary.seconds < 120,
    },
  ];
  for (const p of [50, 95, 99]) {
    const value = round(percentile(statsMs, p), 3);
    rows.push({
      metric: `getUserStats p${p} (${SAMPLES} random active users)`,
      value,
      unit: 'ms',
      baseline: { label: `SELECT 1 p${p}`, value: round(percentile(floorMs, p), 3) },
      ...(p === 95 ? { target: '< 5 ms', met: value < 5 } : {}),
    });
  }
  rows.push(
    {
      metric: `iterate all ${fmt(all.n)} active users (pages of ${PAGE_SIZE})`,
      value: round(all.ms, 1),
      unit: 'ms',
      baseline: { label: 'one COUNT of the same users', value: round(countMs, 1) },
      target: '< 2000 ms',
      met: all.ms < 2000,
    },
    {
      metric: `peak RSS growth iterating all ${fmt(all.n)} (RSS before ${round(all.before, 0)} MiB)`,
      value: round(all.growth, 1),
      unit: 'MiB',
      baseline: { label: `iterating the first ${fmt(tenK.n)}`, value: round(Math.max(tenK.growth, 0.1), 1) },
      target: 'flat: ≤ 10k growth + 16 MiB',
      met: all.growth <= tenK.growth + 16,
    },
    {
      metric: `peak RSS growth iterating all 5 times (${fmt(capped.n)} tgids), old space capped at ${OLD_SPACE_CAP_MIB} MiB`,
      value: round(capped.growth, 1),
      unit: 'MiB',
      baseline: { label: `iterating the first ${fmt(tenK.n)}`, value: round(Math.max(tenK.growth, 0.1), 1) },
      target: 'completes; ≤ 10k growth + 16 MiB',
      met: capped.growth <= tenK.growth + 16,
    },
    {
      metric: `heap retained after iterating all 5 times (${fmt(fiveTimes.n)} tgids), after GC`,
      value: round(fiveTimes.retained, 2),
      unit: 'MiB',
      target: '< 1 MiB',
      met: fiveTimes.retained < 1,
    },
  );
  const result = writeResult(
    'stats',
    {
      users: summary.users,
      orders: summary.orders,
      orderItems: summary.orderItems,
      activeUsers: active.length,
      seed: SEED,
      samples: SAMPLES,
      minOrders: MIN_ORDERS,
      days: DAYS,
    },
    rows,
    [
      dataset.seededNow
        ? 'Seed time measured in this run (the `mealwise db seed` path: COPY FREEZE, foreign keys and secondary indexes rebuilt after the load, ANALYZE).'
        : `Seed time recorded when the dataset was seeded (${dataset.marker.seededAt}); BENCH_STATS_RESEED=1 re-measures it.`,
      'Latencies: sequential calls on a pooled connection, interleaved with the SELECT 1 floor, so the ratio is the cost of the stats statement over a bare round trip. About half of that cost is planning: pg sends unnamed statements, which PostgreSQL plans on every call.',
      `Iteration: keyset pages of ${PAGE_SIZE} tgids, each its own statement; the COUNT baseline evaluates the same per-user rule in one statement.`,
      `Memory: each figure comes from a fresh child process: peak RSS (sampled every 5 ms) minus RSS once connected, after a forced GC. Uncapped, peak RSS over five back-to-back passes also holds garbage V8 has not collected yet (${round(fiveTimes.growth, 1)} MiB this run) while the heap retained after GC stays under 1 MiB; hence the run with old space capped at ${OLD_SPACE_CAP_MIB} MiB.`,
    ],
  );
  for (const r of result.rows) {
    const baseline = r.baseline ? ` (baseline ${r.baseline.label}: ${r.baseline.value})` : '';
    const target = r.target ? ` target ${r.target}: ${r.met ? 'met' : 'NOT met'}` : '';
    log(`${r.metric}: ${r.value} ${r.unit}${baseline}${target}`);
  }
} finally {
  await db.destroy();
}
