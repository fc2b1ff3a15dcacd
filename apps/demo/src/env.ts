import { type Env, envVar, parseEnv } from '@mealwise/config';
import { z } from 'zod';

export type { Env };
export { envVar, parseEnv };

/** The demo's own environment (everything else it sets for the processes it starts). */
export const databaseUrlEnv = z.object({
  MEALWISE_DEMO_DATABASE_URL: envVar
    .url(['postgres', 'postgresql'])
    .default('postgres://postgres@127.0.0.1:5432/mealwise_demo'),
  MEALWISE_DEMO_REDIS_URL: envVar
    .url(['redis', 'rediss'])
    .refine((u) => redisDb(u) !== 0, {
      error:
        'must name a Redis database other than 0 (e.g. redis://127.0.0.1:6379/1): the demo clears its recommendations:* and recs:* keys there',
    })
    .default('redis://127.0.0.1:6379/1'),
});

/** The database index a redis:// URL selects (its path), 0 when none. */
export function redisDb(url: string): number {
  const path = new URL(url).pathname.replace(/^\//, '');
  return path === '' ? 0 : Number(path);
}
