import { Redis } from 'ioredis';
import pg from 'pg';

export interface Unreachable {
  service: 'PostgreSQL' | 'Redis';
  where: string;
  error: string;
}

const hostPort = (url: string, defaultPort: number) => {
  const u = new URL(url);
  return `${u.hostname || '127.0.0.1'}:${u.port || defaultPort}`;
};

async function checkPostgres(url: string, timeoutMs: number): Promise<Unreachable | null> {
  // The maintenance database: the demo's own may not exist yet (it is created next).
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return {
      service: 'PostgreSQL',
      where: hostPort(url, 5432),
      error: (err as Error).message || String(err),
    };
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkRedis(url: string, timeoutMs: number): Promise<Unreachable | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return { service: 'Redis', where: hostPort(url, 6379), error: (err as Error).message || String(err) };
  } finally {
    redis.disconnect();
  }
}

/** Both services, checked at once; what is unreachable, with the error each gave. */
export async function unreachableServices(
  databaseUrl: string,
  redisUrl: string,
  timeoutMs = 3_000,
): Promise<Unreachable[]> {
  const results = await Promise.all([checkPostgres(databaseUrl, timeoutMs), checkRedis(redisUrl, timeoutMs)]);
  return results.filter((r): r is Unreachable => r !== null);
}

/** What to tell the user: which service, and the commands that start it. */
export function howToStart(down: Unreachable[]): string {
  const lines: string[] = [];
  for (const d of down) lines.push(`${d.service} is not reachable at ${d.where} (${d.error}).`);
  const names = down.map((d) => (d.service === 'PostgreSQL' ? 'postgres' : 'redis')).join(' ');
  lines.push(
    '',
    'Start it with one of:',
    '  bash scripts/ensure-services.sh                       # starts a locally installed server:',
  );
  if (down.some((d) => d.service === 'PostgreSQL')) {
    lines.push('      pg_ctlcluster --skip-systemctl-redirect <version> main start');
  }
  if (down.some((d) => d.service === 'Redis')) {
    lines.push('      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no');
  }
  lines.push(
    `  docker compose -f infra/docker-compose.yml up -d ${names}   # or in containers`,
    '',
    'Then run `pnpm demo` again. (Other servers: MEALWISE_DEMO_DATABASE_URL, MEALWISE_DEMO_REDIS_URL.)',
  );
  return lines.join('\n');
}
