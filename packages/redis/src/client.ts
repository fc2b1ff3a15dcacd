import type { Logger } from '@mealwise/logging';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * How a connection is used decides how it behaves while Redis is away:
 * - `queue`: BullMQ workers/queues — commands wait for the reconnect (BullMQ requires
 *   `maxRetriesPerRequest: null`).
 * - `http`: request paths — fail at once (`enableOfflineQueue: false`) so an API answers 503 fast
 *   instead of hanging.
 * - `command`: everything else that must fail closed (the key pool): a short offline queue for a
 *   blip, bounded retries and a per-command timeout so no caller waits forever.
 */
export type RedisRole = 'queue' | 'http' | 'command';

export interface RedisClientOptions {
  role: RedisRole;
  /** Shows up in `CLIENT LIST` (e.g. `mealwise:api`). */
  name?: string;
  logger?: Logger;
  /** Per-command timeout for `command`/`http` roles, ms. */
  commandTimeoutMs?: number;
  /** Connect lazily (first command) instead of at construction. */
  lazyConnect?: boolean;
}

const ROLE_DEFAULTS: Record<RedisRole, RedisOptions> = {
  queue: { maxRetriesPerRequest: null, enableReadyCheck: true },
  http: { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 },
  command: { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5_000 },
};

/**
 * The one way to make a Redis connection. Always attaches an `error` listener (an unhandled
 * `error` event would crash the process on the first connection refused) and logs connection
 * state changes once per transition instead of once per retry.
 */
export function createRedis(url: string, options: RedisClientOptions): Redis {
  const timeout = options.role === 'queue' ? undefined : (options.commandTimeoutMs ?? 5_000);
  const client = new Redis(url, {
    ...ROLE_DEFAULTS[options.role],
    ...(timeout === undefined ? {} : { commandTimeout: timeout }),
    ...(options.name ? { connectionName: options.name } : {}),
    lazyConnect: options.lazyConnect ?? false,
    // Reconnect forever, backing off to 2 s: Redis restarts are survivable events here.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    options.logger?.warn('redis connection error', { redis: options.name, error: err.message });
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    options.logger?.info('redis connection restored', { redis: options.name });
  });
  return client;
}

/** Closes a client politely (QUIT), falling back to a hard disconnect when Redis is unreachable. */
export async function closeRedis(client: Redis, timeoutMs = 1_000): Promise<void> {
  if (client.status === 'end') return;
  try {
    await Promise.race([
      client.quit(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('quit timed out')), timeoutMs).unref()),
    ]);
  } catch {
    client.disconnect();
  }
}
