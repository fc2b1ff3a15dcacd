import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createRedis } from '@mealwise/redis';
import { freePort, type Spawned, spawnProcess, waitFor } from '@mealwise/testing';
import { KeyPoolUnavailableError } from '../src/errors.ts';
import { KeyPool } from '../src/pool.ts';
import { fakeKeys, MODEL } from './helpers.ts';

// A Redis of our own on a free port, so stopping it disturbs no other test.
let server: Spawned | undefined;
afterAll(() => server?.kill('SIGKILL'));

async function startRedis(port: number): Promise<Spawned> {
  const s = spawnProcess('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no']);
  await s.waitForLine('Ready to accept connections', 20_000);
  return s;
}

describe('Redis down', () => {
  it('acquire fails closed with KeyPoolUnavailableError within the command timeout, and recovers', async () => {
    const port = await freePort();
    server = await startRedis(port);
    const redis = createRedis(`redis://127.0.0.1:${port}`, { role: 'command', commandTimeoutMs: 1000 });
    const pool = new KeyPool({
      redis,
      keys: fakeKeys(1),
      limits: { requestsPerMinute: 100, requestsPerDay: 1000 },
      models: [MODEL],
    });
    try {
      await expect(pool.acquire(MODEL)).resolves.toMatchObject({ project: 'p1' });

      server.kill('SIGTERM');
      await server.exited;
      await waitFor(() => redis.status !== 'ready', { what: 'the client to notice' });
      const err = await pool.acquire(MODEL).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyPoolUnavailableError);
      expect((err as KeyPoolUnavailableError).code).toBe('KEY_POOL_UNAVAILABLE');
      await expect(pool.status()).rejects.toBeInstanceOf(KeyPoolUnavailableError);
      await expect(
        pool.report({} as never, { kind: 'rate_limited', scope: 'minute' }),
      ).rejects.toBeInstanceOf(KeyPoolUnavailableError);

      // Back up (empty: its script cache too): admission works again, nothing was admitted meanwhile.
      server = await startRedis(port);
      const lease = await waitFor(() => pool.acquire(MODEL).catch(() => undefined), { timeoutMs: 30_000 });
      expect(lease.project).toBe('p1');
      expect((await pool.status()).keys[0]!.models[0]!.usedToday).toBe(1);
    } finally {
      redis.disconnect();
      server?.kill('SIGKILL');
    }
  }, 60_000);

  it('bounds a call by the pool timeout when the client has no command timeout', async () => {
    // A server that accepts connections and never answers: a queue-role client (no command
    // timeout, retries forever) would wait for it forever.
    const sockets = new Set<Socket>();
    const silent = createServer((s) => sockets.add(s)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const redis = createRedis(`redis://127.0.0.1:${port}`, { role: 'queue' });
    const pool = new KeyPool({
      redis,
      keys: fakeKeys(1),
      limits: { requestsPerMinute: 100, requestsPerDay: 1000 },
      timeoutMs: 300,
    });
    try {
      const err = await pool.acquire(MODEL).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyPoolUnavailableError);
      expect(String((err as Error).cause)).toContain('no answer from Redis in 300 ms');
    } finally {
      redis.disconnect();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 30_000);
});
