import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ADMIN_URL,
  databaseUrl,
  freePort,
  type Spawned,
  spawnNodeTs,
  TEST_REDIS_URL,
} from '@mealwise/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DEMO_REDIS_PATTERNS, REPO_ROOT } from '../src/settings.ts';

// `pnpm demo --ci` as a real child process: what a newcomer runs, checked from the outside.

const ENTRY = `${REPO_ROOT}/apps/demo/src/main.ts`;
const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
const lockToken = randomUUID();
let lockKey = '';
let redisUrl = '';
const dbName = `mealwise_demo_t_${randomUUID().replace(/-/g, '').slice(0, 10)}`;

/** A Redis database (2..15) no other demo test is using: the demo clears its patterns there. */
async function lockRedisDatabase(): Promise<number> {
  for (let attempt = 0; attempt < 600; attempt++) {
    for (let db = 2; db <= 15; db++) {
      const key = `mealwise:demo-test:redis-db:${db}`;
      if ((await admin.set(key, lockToken, 'EX', 900, 'NX')) === 'OK') {
        lockKey = key;
        return db;
      }
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error('no free Redis database for the demo test');
}

async function dropDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await client.end();
}

beforeAll(async () => {
  const base = new URL(TEST_REDIS_URL);
  base.pathname = `/${await lockRedisDatabase()}`;
  redisUrl = base.toString();
});

afterAll(async () => {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  for (const pattern of DEMO_REDIS_PATTERNS) {
    const keys = await redis.keys(pattern);
    if (keys.length) await redis.unlink(...keys);
  }
  await redis.quit();
  if ((await admin.get(lockKey)) === lockToken) await admin.del(lockKey);
  await admin.quit();
  await dropDatabase();
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('pnpm demo --ci', () => {
  let demo: Spawned;
  let output = '';

  beforeAll(async () => {
    demo = spawnNodeTs(ENTRY, ['--ci', '--stay', '--users', '160', '--api-port', '0'], {
      cwd: REPO_ROOT,
      env: { MEALWISE_DEMO_DATABASE_URL: databaseUrl(dbName), MEALWISE_DEMO_REDIS_URL: redisUrl },
    });
    await demo.waitForLine('The services keep running', 240_000);
    output = demo.lines.join('\n');
  }, 260_000);

  afterAll(async () => {
    demo.kill('SIGKILL');
    await demo.exited;
  });

  it('runs a batch whose summary adds up', () => {
    const m =
      /✓ adds up: (\d+) succeeded \+ (\d+) skipped \+ (\d+) failed = (\d+) enqueued \((\d+) active users\)/.exec(
        output,
      );
    expect(m).not.toBeNull();
    const [succeeded, skipped, failed, enqueued, active] = m!.slice(1).map(Number) as number[];
    expect(succeeded! + skipped! + failed!).toBe(enqueued);
    expect(enqueued).toBe(active);
    expect(succeeded).toBeGreaterThan(20);
    expect(output).not.toContain('✗');
  });

  it('prints the key-pool table with the revoked key marked invalid', () => {
    expect(output).toMatch(/│ fingerprint +│ project +│ model +│ state/);
    expect(output).toMatch(/demo-project-b .*│ invalid .*API_KEY_INVALID/);
    expect(output).toMatch(/demo-project-a .*│ available/);
  });

  it("prints one user's recommendation from the API", () => {
    const json = output.slice(output.indexOf('/recommendations\n') + '/recommendations\n'.length);
    const record = JSON.parse(json.slice(0, json.indexOf('\n}\n') + 2)) as {
      summary: string;
      tips: string[];
      source: string;
    };
    expect(record.summary.length).toBeGreaterThan(10);
    expect(record.tips.length).toBeGreaterThanOrEqual(2);
    expect(record.source).toBe('gemini');
  });

  it('prints URLs and credentials that answer', async () => {
    const api = /^API +(http:\/\/\S+)/m.exec(output)?.[1];
    const user = /^BULL_BOARD_USER=(\S+)/m.exec(output)?.[1];
    const password = /^BULL_BOARD_PASSWORD=(\S+)/m.exec(output)?.[1];
    const adminToken = /^ADMIN_TOKEN=(\S+)/m.exec(output)?.[1];
    expect(api).toBeDefined();
    expect(output).toContain(`${api}/docs`);
    expect(output).toContain(`${api}/admin/queues`);
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api}${path}`, { headers });
    expect((await get('/readyz')).status).toBe(200);
    expect(((await (await get('/openapi.json')).json()) as { openapi: string }).openapi).toMatch(/^3\./);
    expect((await get('/docs')).status).toBe(200);
    const basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    expect((await get('/admin/queues', { authorization: basic })).status).toBe(200);
    expect((await get('/admin/queues')).status).toBe(401);
    expect((await get('/v1/admin/key-pool', { authorization: `Bearer ${adminToken}` })).status).toBe(200);
  });

  it('stops exactly the processes it started on Ctrl-C (SIGINT), and exits 0', async () => {
    const started = /▸ started (.+)/.exec(output)?.[1] ?? '';
    const pids = [...started.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    demo.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(alive(process.pid)).toBe(true);
  }, 60_000);
});

describe('pnpm demo without its services', () => {
  it('says which service is down and how to start it', async () => {
    const port = await freePort();
    const demo = spawnNodeTs(ENTRY, ['--ci'], {
      cwd: REPO_ROOT,
      env: {
        MEALWISE_DEMO_DATABASE_URL: databaseUrl(dbName),
        MEALWISE_DEMO_REDIS_URL: `redis://127.0.0.1:${port}/3`,
      },
    });
    expect(await demo.exited).toBe(1);
    const text = demo.lines.join('\n');
    expect(text).toContain(`Redis is not reachable at 127.0.0.1:${port}`);
    expect(text).not.toContain('PostgreSQL is not reachable');
    expect(text).toContain('docker compose -f infra/docker-compose.yml up -d redis');
    expect(text).toContain('redis-server --daemonize yes');
    expect(text).toContain('bash scripts/ensure-services.sh');
  }, 60_000);

  it('refuses Redis database 0 (the developer’s own), naming the variable', async () => {
    const demo = spawnNodeTs(ENTRY, ['--ci'], {
      cwd: REPO_ROOT,
      env: { MEALWISE_DEMO_REDIS_URL: 'redis://127.0.0.1:6379/0' },
    });
    expect(await demo.exited).toBe(78);
    expect(demo.lines.join('\n')).toContain('MEALWISE_DEMO_REDIS_URL');
  }, 60_000);
});
