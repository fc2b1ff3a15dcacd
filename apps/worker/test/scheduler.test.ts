import { afterAll, describe, expect, it } from '@jest/globals';
import { type BatchJobData, NIGHTLY_SCHEDULER_ID, QUEUE_BATCH } from '@mealwise/jobs';
import { silentLogger } from '@mealwise/logging';
import { closeRedis, createRedis } from '@mealwise/redis';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { Queue } from 'bullmq';
import { ensureNightlyScheduler } from '../src/scheduler.ts';

const redis = createRedis(TEST_REDIS_URL, { role: 'queue' });
const prefixes: string[] = [];
const queues: Queue[] = [];

function queue(): Queue<BatchJobData> {
  const prefix = uniquePrefix('bull');
  prefixes.push(prefix);
  const q = new Queue<BatchJobData>(QUEUE_BATCH, { connection: redis, prefix });
  queues.push(q);
  return q;
}

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  for (const p of prefixes) await deleteByPrefix(redis, `${p}:`);
  await closeRedis(redis);
});

describe('ensureNightlyScheduler', () => {
  const log = silentLogger();

  it('creates once, then leaves an identical scheduler (and its pending job) untouched', async () => {
    const q = queue();
    expect(await ensureNightlyScheduler(q, { cron: '0 3 * * *', tz: 'UTC' }, log)).toBe('created');
    const [pending] = await q.getDelayed();
    expect(pending?.id).toMatch(new RegExp(`^repeat:${NIGHTLY_SCHEDULER_ID}:\\d+$`));
    expect(await ensureNightlyScheduler(q, { cron: '0 3 * * *', tz: 'UTC' }, log)).toBe('unchanged');
    const after = await q.getDelayed();
    // The same pending job: a deploy at 03:05 must not replace tonight's run with tomorrow's.
    expect(after.map((j) => j.id)).toEqual([pending?.id]);
    const next = new Date((pending!.opts as { prevMillis: number }).prevMillis);
    expect(next.getUTCHours()).toBe(3);
    expect(next.getUTCMinutes()).toBe(0);
  });

  it('updates when the pattern or time zone changes', async () => {
    const q = queue();
    await ensureNightlyScheduler(q, { cron: '0 3 * * *', tz: 'UTC' }, log);
    expect(await ensureNightlyScheduler(q, { cron: '30 2 * * *', tz: 'Europe/Moscow' }, log)).toBe('updated');
    const s = await q.getJobScheduler(NIGHTLY_SCHEDULER_ID);
    expect(s).toMatchObject({ pattern: '30 2 * * *', tz: 'Europe/Moscow' });
    expect(await q.getJobSchedulersCount()).toBe(1);
  });

  it('ten processes starting at once leave one scheduler and one pending job', async () => {
    const prefix = uniquePrefix('bull');
    prefixes.push(prefix);
    // Ten separate connections and queues, as ten processes would have.
    const conns = Array.from({ length: 10 }, () => createRedis(TEST_REDIS_URL, { role: 'queue' }));
    const qs = conns.map((c) => new Queue<BatchJobData>(QUEUE_BATCH, { connection: c, prefix }));
    try {
      await Promise.all(qs.map((q) => ensureNightlyScheduler(q, { cron: '0 3 * * *', tz: 'UTC' }, log)));
      expect(await qs[0]!.getJobSchedulersCount()).toBe(1);
      expect(await qs[0]!.getDelayedCount()).toBe(1);
    } finally {
      await Promise.all(qs.map((q) => q.close()));
      await Promise.all(conns.map((c) => closeRedis(c)));
    }
  });
});
