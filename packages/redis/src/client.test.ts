import { afterAll, describe, expect, it } from '@jest/globals';
import { closeRedis, createRedis } from './client.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('createRedis', () => {
  const clients: ReturnType<typeof createRedis>[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => closeRedis(c)));
  });

  it('talks to the real Redis', async () => {
    const c = createRedis(url, { role: 'command', name: 'mealwise:test' });
    clients.push(c);
    expect(await c.ping()).toBe('PONG');
  });

  it('fails fast for http clients when Redis is unreachable', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const c = createRedis('redis://127.0.0.1:1', { role: 'http', lazyConnect: true });
    clients.push(c);
    const started = Date.now();
    await expect(c.get('x')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
