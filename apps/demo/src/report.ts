import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunSummary } from '@mealwise/jobs';
import type { Redis } from 'ioredis';
import type { DemoCredentials } from './settings.ts';

const run = promisify(execFile);

/** Runs `mealwise <args>` (the operator CLI) against the demo and returns what it printed. */
export async function mealwise(entry: string, args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--conditions=@mealwise/source', entry, ...args], {
    env: { ...process.env, ...env },
    timeout: 30_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  return stdout;
}

/** Problems with a finished run's numbers (empty when they add up). */
export function summaryProblems(s: RunSummary): string[] {
  const problems: string[] = [];
  const done = s.succeeded + s.skipped + s.failed;
  if (done !== s.enqueued)
    problems.push(`succeeded + skipped + failed = ${done}, but ${s.enqueued} were enqueued`);
  if (s.enqueued > s.total) problems.push(`${s.enqueued} enqueued of only ${s.total} active users`);
  if (s.fallback !== s.fallback_stale + s.fallback_rules) problems.push('fallback ≠ stale + rules');
  if (s.enqueued === 0) problems.push('no user was enqueued');
  if (s.failed > 0) problems.push(`${s.failed} users failed`);
  return problems;
}

/** The smallest tgid with a cached recommendation in the demo's Redis database. */
export async function someCachedUser(redis: Redis): Promise<number | null> {
  let best: number | null = null;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'recommendations:user:*', 'COUNT', 1000);
    cursor = next;
    for (const k of keys) {
      const tgid = Number(k.slice('recommendations:user:'.length));
      if (Number.isSafeInteger(tgid) && (best === null || tgid < best)) best = tgid;
    }
  } while (cursor !== '0');
  return best;
}

export interface UrlCheck {
  what: string;
  url: string;
  /** Extra request headers (credentials). */
  headers?: Record<string, string>;
  expectStatus: number;
  /** Something the body must contain. */
  expectBody?: string;
}

export interface UrlResult extends UrlCheck {
  status: number | string;
  ok: boolean;
}

export async function checkUrls(checks: UrlCheck[]): Promise<UrlResult[]> {
  return Promise.all(
    checks.map(async (c) => {
      try {
        const res = await fetch(c.url, { headers: c.headers ?? {}, signal: AbortSignal.timeout(10_000) });
        const body = await res.text();
        const ok = res.status === c.expectStatus && (!c.expectBody || body.includes(c.expectBody));
        return { ...c, status: res.status, ok };
      } catch (err) {
        return { ...c, status: (err as Error).message, ok: false };
      }
    }),
  );
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Every URL the demo prints, with what each must answer. */
export function demoUrlChecks(
  urls: { api: string; worker: string; emulator: string },
  c: DemoCredentials,
): UrlCheck[] {
  const admin = { authorization: `Bearer ${c.adminToken}` };
  return [
    { what: 'API liveness', url: `${urls.api}/healthz`, expectStatus: 200 },
    { what: 'API readiness (Redis + PostgreSQL)', url: `${urls.api}/readyz`, expectStatus: 200 },
    { what: 'OpenAPI document', url: `${urls.api}/openapi.json`, expectStatus: 200, expectBody: '"openapi"' },
    { what: 'API docs page', url: `${urls.api}/docs`, expectStatus: 200, expectBody: '<html' },
    {
      what: 'Bull Board',
      url: `${urls.api}/admin/queues`,
      headers: { authorization: basic(c.bullBoardUser, c.bullBoardPassword) },
      expectStatus: 200,
    },
    { what: 'Bull Board without credentials', url: `${urls.api}/admin/queues`, expectStatus: 401 },
    { what: 'key pool (admin)', url: `${urls.api}/v1/admin/key-pool`, headers: admin, expectStatus: 200 },
    {
      what: 'API metrics',
      url: `${urls.api}/metrics`,
      expectStatus: 200,
      expectBody: 'http_request_duration_seconds',
    },
    {
      what: 'worker metrics',
      url: `${urls.worker}/metrics`,
      expectStatus: 200,
      expectBody: 'mealwise_batch_users',
    },
    {
      what: 'emulator stats',
      url: `${urls.emulator}/_emulator/stats`,
      expectStatus: 200,
      expectBody: '"quotas"',
    },
  ];
}
