import {
  createDb,
  ensureDatabase,
  migrateToLatest,
  type SeedProgress,
  type SeedSummary,
  seedDemoData,
} from '@mealwise/db';
import { Redis } from 'ioredis';

/**
 * Creates (if needed) and migrates the demo database, then reloads the deterministic demo data —
 * `--truncate`, so every run starts from the same users and fresh order dates.
 */
export async function prepareDatabase(
  url: string,
  options: { users: number; seed: number; onProgress?: (p: SeedProgress) => void },
): Promise<SeedSummary> {
  await ensureDatabase(url);
  const db = createDb({ connectionString: url, max: 2, applicationName: 'mealwise-demo' });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return seedDemoData(url, {
    users: options.users,
    seed: options.seed,
    truncate: true,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/**
 * Deletes what an earlier demo run left in the demo's Redis database (queues, key-pool counters,
 * cached records, run summaries), so the pool's counters match the freshly started emulator.
 */
export async function resetDemoRedis(url: string, patterns: readonly string[]): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length) deleted += await redis.unlink(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
