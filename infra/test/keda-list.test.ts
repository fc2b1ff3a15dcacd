import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JOB_NAMES, QUEUE_USER, RecsProducer, USER_JOB_OPTIONS, userJobId } from '@mealwise/jobs';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { effectiveEnv, find } from '../src/k8s.ts';
import { meta, renderKustomization } from '../src/kustomize.ts';
import type { Obj } from '../src/repo.ts';

// The KEDA trigger must watch the list BullMQ really uses for waiting recs-user jobs. Rather than
// trusting a string, ask BullMQ: add jobs the way the worker's fan-out and the API do, then find
// the Redis list that holds them.

const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const prefix = uniquePrefix('keda');
let producer: RecsProducer;
let userQueue: Queue;

beforeAll(async () => {
  producer = new RecsProducer({ connection: redis, prefix });
  userQueue = new Queue(QUEUE_USER, { connection: redis, prefix });
  // A nightly user job, added as the fan-out adds them (addBulk, USER_JOB_OPTIONS, deterministic id)…
  await userQueue.addBulk([
    {
      name: JOB_NAMES.user,
      data: { tgid: 5_000_000_001, runId: '2026-11-29', reason: 'batch' },
      opts: { ...USER_JOB_OPTIONS, jobId: userJobId('2026-11-29', 5_000_000_001) },
    },
  ]);
  // …and an on-demand one, as the API's refresh adds it.
  await producer.enqueueOnDemand(5_000_000_002, 'refresh');
});

afterAll(async () => {
  await producer.close();
  await userQueue.close();
  await deleteByPrefix(redis, `${prefix}:`);
  await redis.quit();
});

async function listsHoldingJobs(): Promise<Map<string, string[]>> {
  const jobs = await userQueue.getJobs(['wait', 'prioritized', 'delayed']);
  const ids = new Set(jobs.map((j) => j.id));
  const lists = new Map<string, string[]>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if ((await redis.type(key)) !== 'list') continue;
      const members = (await redis.lrange(key, 0, -1)).filter((m) => ids.has(m));
      if (members.length) lists.set(key, members);
    }
  } while (cursor !== '0');
  return lists;
}

describe.each(['infra/k8s/base', 'infra/k8s/overlays/example'])('KEDA trigger of %s', (dir) => {
  const objects = renderKustomization(dir);

  it('watches the Redis list in which BullMQ keeps waiting recs-user jobs (nightly and on-demand)', async () => {
    const lists = await listsHoldingJobs();
    // Exactly one list holds both jobs: the one whose length KEDA reads.
    expect([...lists.values()].map((m) => m.length)).toEqual([2]);
    const [actualKey] = [...lists.keys()];
    expect(actualKey?.startsWith(`${prefix}:`)).toBe(true);
    expect(await redis.llen(actualKey!)).toBe(2);

    // The ScaledObject's list name, under the prefix the scaled workers are configured with.
    const so = objects.find((o) => o.kind === 'ScaledObject') as Obj;
    const spec = so.spec as {
      scaleTargetRef: { name: string };
      triggers: { metadata: { listName: string } }[];
    };
    const target = find(objects, 'Deployment', spec.scaleTargetRef.name);
    const configMaps = new Map(
      objects
        .filter((o) => o.kind === 'ConfigMap')
        .map((o) => [meta(o).name!, o.data as Record<string, string>]),
    );
    const [container] = (target.spec as { template: { spec: { containers: never[] } } }).template.spec
      .containers;
    const bullPrefix = effectiveEnv(container!, configMaps, new Map()).BULL_PREFIX ?? 'bull';
    const expected = `${bullPrefix}${actualKey!.slice(prefix.length)}`;
    expect(spec.triggers.map((t) => t.metadata.listName)).toEqual([expected]);
  });
});
