import { randomUUID } from 'node:crypto';
import { createRedis, type Redis } from '@mealwise/redis';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { NoCapacityError } from '../src/errors.ts';
import { fingerprint, type PoolKey } from '../src/keys.ts';
import type { KeyPoolOptions } from '../src/options.ts';
import { KeyPool } from '../src/pool.ts';

export const MODEL = 'gemini-2.5-flash-lite';

/** The NoCapacityError `p` rejects with; fails the test if it resolves or rejects otherwise. */
export async function refusal(p: Promise<unknown>): Promise<NoCapacityError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof NoCapacityError) return err;
    throw err;
  }
  throw new Error('expected NoCapacityError');
}

/** A generated fake key (never shaped like a Google key). */
export function fakeKey(project: string): PoolKey {
  const key = `test-key-${randomUUID()}`;
  return { key, fingerprint: fingerprint(key), project };
}

/** `keysPerProject` keys for each of `projects` projects named p1, p2... */
export function fakeKeys(projects: number, keysPerProject = 1): PoolKey[] {
  const out: PoolKey[] = [];
  for (let p = 1; p <= projects; p++) for (let k = 0; k < keysPerProject; k++) out.push(fakeKey(`p${p}`));
  return out;
}

/** A settable clock for the scripts. */
export class TestClock {
  t: number;
  constructor(start: number | string) {
    this.t = typeof start === 'string' ? Date.parse(start) : start;
  }
  now = (): number => this.t;
  set(t: number | string): void {
    this.t = typeof t === 'string' ? Date.parse(t) : t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** One Redis connection per test file plus a fresh prefix per pool; everything deleted afterwards. */
export class PoolHarness {
  readonly redis: Redis = createRedis(TEST_REDIS_URL, { role: 'command', name: 'key-pool-test' });
  readonly prefixes: string[] = [];

  newPrefix(label = 'kp'): string {
    const p = `${uniquePrefix(label)}:`;
    this.prefixes.push(p);
    return p;
  }

  pool(options: Partial<KeyPoolOptions> & Pick<KeyPoolOptions, 'keys'>): KeyPool {
    return new KeyPool({
      redis: this.redis,
      limits: { requestsPerMinute: 10, requestsPerDay: 195 },
      models: [MODEL],
      cooldownJitterMs: { min: 0, max: 0 },
      ...options,
      prefix: options.prefix ?? this.newPrefix(),
    });
  }

  async close(): Promise<void> {
    for (const p of this.prefixes) await deleteByPrefix(this.redis, p);
    await this.redis.quit();
  }
}
