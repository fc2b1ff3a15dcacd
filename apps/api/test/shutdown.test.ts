import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { sampleRecord } from '@mealwise/recs/testing';
import { closeRedis, createRedis, type Redis } from '@mealwise/redis';
import {
  freePort,
  type OwnRedis,
  type Spawned,
  spawnNodeTs,
  startOwnRedis,
  waitFor,
} from '@mealwise/testing';
import { ADMIN_TOKEN, SECRETS, SERVICE_TOKEN } from './support/harness.ts';

const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

let t: MigratedTestDatabase;
let redis: OwnRedis;
let client: Redis;

beforeAll(async () => {
  t = await createMigratedTestDatabase();
  redis = await startOwnRedis();
  client = createRedis(redis.url, { role: 'command' });
  await client.set('recommendations:user:42', JSON.stringify(sampleRecord()));
});

afterAll(async () => {
  await closeRedis(client);
  await redis.stop();
  await t.dispose();
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, headers: { Authorization: `Bearer ${SERVICE_TOKEN}` }, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the api process', () => {
  let api: Spawned;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    api = spawnNodeTs(MAIN, [], {
      env: {
        API_PORT: String(port),
        API_HOST: '127.0.0.1',
        REDIS_URL: redis.url,
        DATABASE_URL: t.url,
        API_TOKENS: SERVICE_TOKEN,
        ADMIN_TOKEN,
        LOG_LEVEL: 'http',
        // The paused Redis below must not trip the dependency timeout.
        API_DEPENDENCY_TIMEOUT_MS: '10000',
        API_SHUTDOWN_TIMEOUT_MS: '15000',
      },
    });
    await api.waitForLine('"listening"', 60_000);
  }, 90_000);

  afterAll(() => {
    api.kill('SIGKILL');
  });

  it('logs "listening" with its port', () => {
    const line = JSON.parse(api.lines.find((l) => l.includes('"listening"'))!);
    expect(line).toMatchObject({ level: 'info', message: 'listening', port, service: 'api' });
  });

  it('on SIGTERM stops accepting, finishes the request in flight, closes and exits 0', async () => {
    expect((await get(port, '/v1/users/42/recommendations')).status).toBe(200);

    // Freeze Redis for 2 s: the next request is then in flight while the signal arrives.
    await client.call('CLIENT', 'PAUSE', '2000', 'ALL');
    const inFlight = get(port, '/v1/users/42/recommendations');
    // A rejection after a failed assertion must not surface as an unhandled one.
    inFlight.catch(() => {});
    // Let the request reach the server before the signal (ordering, not a timing assertion).
    await new Promise((r) => setTimeout(r, 300));
    api.kill('SIGTERM');
    await api.waitForLine('"shutting down"');

    // New connections are refused while the request in flight is still being answered.
    const refused = await waitFor(
      () =>
        get(port, '/healthz').then(
          () => false,
          (err: Error) => /ECONNREFUSED/.test(err.message),
        ),
      { what: 'the listener to close' },
    );
    expect(refused).toBe(true);
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body).summary).toBe(sampleRecord().summary);

    expect(await api.exited).toBe(0);
    expect(api.lines.some((l) => l.includes('"stopped"'))).toBe(true);
    expect(api.lines.filter((l) => SECRETS.some((s) => l.includes(s)))).toEqual([]);
  }, 60_000);
});

describe('invalid configuration', () => {
  it('stops at start with one message naming the variable, exit 78, no secret echoed', async () => {
    const api = spawnNodeTs(MAIN, [], {
      env: { API_TOKENS: 'short-secret', BULL_BOARD_USER: 'ops', API_PORT: '0' },
    });
    expect(await api.exited).toBe(78);
    const out = api.lines.join('\n');
    expect(out).toContain('API_TOKENS must be at least 16 characters');
    expect(out).toContain('BULL_BOARD_PASSWORD is required with BULL_BOARD_USER');
    expect(out).not.toContain('short-secret');
    expect(out).not.toMatch(/\bat .+\.ts:\d+/);
  }, 60_000);
});
