// The fan-out alone: `runFanout` (the batch job's body: run summary counters, the unchanged-user
// check, addBulk in chunks, cursor and progress after every page) against a bare `addBulk` loop of
// the same jobs, same chunk size, interleaved in the same run. Users come from an in-memory keyset
// source, so the figure is the fan-out's own cost on Redis (the PostgreSQL iterator is measured by
// bench/stats).
import {
  type BatchJobData,
  JOB_NAMES,
  QUEUE_BATCH,
  QUEUE_USER,
  RunSummaryStore,
  USER_JOB_OPTIONS,
  type UserJobData,
  userJobId,
} from '@mealwise/jobs';
import { silentLogger } from '@mealwise/logging';
import { RecommendationCache } from '@mealwise/recs';
import type { Redis } from '@mealwise/redis';
import type { ActiveUsersQuery } from '@mealwise/stats';
import { deleteByPrefix, uniquePrefix } from '@mealwise/testing';
import { Queue } from 'bullmq';
import { type ActiveUserSource, runFanout } from '../../apps/worker/src/batch/fanout.ts';

export interface FanoutMeasurement {
  baselineJobsPerS: number;
  fanoutJobsPerS: number;
  /** Heap after a full GC, after minus before one fan-out of every job (MiB). */
  heapRetainedMiB: number;
  /** Peak RSS during the fan-out minus RSS before it (MiB). */
  rssPeakGrowthMiB: number;
}

const MiB = 2 ** 20;
const CHUNK = 500;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function source(tgids: number[]): ActiveUserSource {
  return {
    async countActiveUsers() {
      return tgids.length;
    },
    async *activeUsers(q: ActiveUsersQuery) {
      const size = q.pageSize ?? 1000;
      // Keyset, like the real iterator: binary search for the first tgid after the cursor.
      let i = 0;
      if (q.after !== undefined) {
        let hi = tgids.length;
        while (i < hi) {
          const mid = (i + hi) >> 1;
          if (tgids[mid]! <= q.after) i = mid + 1;
          else hi = mid;
        }
      }
      for (; i < tgids.length; i += size) yield tgids.slice(i, i + size);
    },
  };
}

async function bareAddBulk(redis: Redis, tgids: number[], runId: string): Promise<number> {
  const prefix = uniquePrefix('bench-bare');
  const queue = new Queue<UserJobData>(QUEUE_USER, { connection: redis, prefix });
  try {
    const t0 = performance.now();
    for (let i = 0; i < tgids.length; i += CHUNK) {
      await queue.addBulk(
        tgids.slice(i, i + CHUNK).map((tgid) => ({
          name: JOB_NAMES.user,
          data: { tgid, runId, reason: 'batch' as const },
          opts: { ...USER_JOB_OPTIONS, jobId: userJobId(runId, tgid) },
        })),
      );
    }
    const s = (performance.now() - t0) / 1000;
    if ((await queue.getWaitingCount()) !== tgids.length) throw new Error('bare addBulk lost jobs');
    return tgids.length / s;
  } finally {
    await queue.close();
    await deleteByPrefix(redis, `${prefix}:`);
  }
}

async function fanout(
  redis: Redis,
  tgids: number[],
  runId: string,
): Promise<{ jobsPerS: number; heapRetainedMiB: number; rssPeakGrowthMiB: number }> {
  const prefix = uniquePrefix('bench-fanout');
  const ns = `${uniquePrefix('bench-ns')}:`;
  const batchQueue = new Queue<BatchJobData>(QUEUE_BATCH, { connection: redis, prefix });
  const userQueue = new Queue<UserJobData>(QUEUE_USER, { connection: redis, prefix });
  try {
    const job = await batchQueue.add(JOB_NAMES.batch, { runId, trigger: 'manual' });
    const deps = {
      users: source(tgids),
      // The cache is empty (a first night): every page is one MGET, no stats query.
      stats: {
        getUserStats: async () => {
          throw new Error('not expected: no user has a record');
        },
      },
      cache: new RecommendationCache({ redis, ttlSeconds: 3600, keyPrefix: `${ns}recommendations:user:` }),
      skipUnchangedForMs: 72 * 3_600_000,
      checkConcurrency: 4,
      userQueue,
      runs: new RunSummaryStore({ redis, prefix: `${ns}recs:` }),
      minOrders: 5,
      days: 30,
      tz: 'UTC',
      chunkSize: CHUNK,
      logger: silentLogger(),
    };
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    const t0 = performance.now();
    const result = await runFanout(job, deps);
    const s = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    if (result.enqueued !== tgids.length || (await userQueue.getWaitingCount()) !== tgids.length)
      throw new Error(`fan-out enqueued ${result.enqueued} of ${tgids.length}`);
    return {
      jobsPerS: tgids.length / s,
      heapRetainedMiB: (heapAfter - heapBefore) / MiB,
      rssPeakGrowthMiB: (rssPeak - rssBefore) / MiB,
    };
  } finally {
    await batchQueue.close();
    await userQueue.close();
    await deleteByPrefix(redis, `${prefix}:`);
    await deleteByPrefix(redis, ns);
  }
}

/** A warm-up, then `rounds` × (bare loop, fan-out) in alternating order; the best round of each (least disturbed by neighbours). */
export async function measureFanout(
  redis: Redis,
  jobs: number,
  rounds: number,
  log: (s: string) => void,
): Promise<FanoutMeasurement> {
  const tgids = Array.from({ length: jobs }, (_, i) => 5_000_000_000 + i * 97);
  const m: FanoutMeasurement = {
    baselineJobsPerS: 0,
    fanoutJobsPerS: 0,
    heapRetainedMiB: Number.NEGATIVE_INFINITY,
    rssPeakGrowthMiB: 0,
  };
  // Warm-up (JIT, scripts loaded, Redis allocator): whichever ran first was measured cold.
  const warm = tgids.slice(0, Math.min(tgids.length, 10_000));
  await bareAddBulk(redis, warm, 'warm-bare');
  await fanout(redis, warm, 'warm-fanout');
  for (let r = 1; r <= rounds; r++) {
    // Alternate which goes first, so neither always gets the warmer Redis.
    let base = 0;
    if (r % 2 === 1) base = await bareAddBulk(redis, tgids, `bare-${r}`);
    const f = await fanout(redis, tgids, `fanout-${r}`);
    if (r % 2 === 0) base = await bareAddBulk(redis, tgids, `bare-${r}`);
    log(
      `  round ${r}: bare addBulk ${Math.round(base)} jobs/s, runFanout ${Math.round(f.jobsPerS)} jobs/s ` +
        `(heap retained ${f.heapRetainedMiB.toFixed(1)} MiB, RSS peak +${f.rssPeakGrowthMiB.toFixed(1)} MiB)`,
    );
    m.baselineJobsPerS = Math.max(m.baselineJobsPerS, base);
    m.fanoutJobsPerS = Math.max(m.fanoutJobsPerS, f.jobsPerS);
    m.heapRetainedMiB = Math.max(m.heapRetainedMiB, f.heapRetainedMiB);
    m.rssPeakGrowthMiB = Math.max(m.rssPeakGrowthMiB, f.rssPeakGrowthMiB);
  }
  return m;
}
