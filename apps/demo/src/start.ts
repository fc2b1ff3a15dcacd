import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Children } from './children.ts';
import {
  DEMO_BULL_PREFIX,
  DEMO_POOL_PREFIX,
  DEMO_RPD,
  DEMO_RPM,
  EMULATOR_CONFIG,
  ENTRY,
} from './settings.ts';

/** The environment every mealwise process of the demo shares (and `demo.env` exports for the CLI). */
export function sharedEnv(o: { databaseUrl: string; redisUrl: string; keys: string; emulatorUrl: string }) {
  return {
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    BULL_PREFIX: DEMO_BULL_PREFIX,
    GEMINI_KEY_POOL_PREFIX: DEMO_POOL_PREFIX,
    GEMINI_API_KEYS: o.keys,
    GEMINI_BASE_URL: o.emulatorUrl,
    GEMINI_MAX_REQUESTS_PER_MINUTE: String(DEMO_RPM),
    GEMINI_MAX_REQUESTS_PER_KEY: String(DEMO_RPD),
  };
}

/** `preferred` when it is free on 127.0.0.1, otherwise a port the kernel picks. */
export async function choosePort(preferred: number | null): Promise<number> {
  const tryListen = async (port: number): Promise<number | null> => {
    const srv = createServer();
    srv.listen(port, '127.0.0.1');
    try {
      await Promise.race([once(srv, 'listening'), once(srv, 'error').then(([err]) => Promise.reject(err))]);
    } catch {
      return null;
    }
    const { port: bound } = srv.address() as { port: number };
    srv.close();
    await once(srv, 'close');
    return bound;
  };
  if (preferred !== null && preferred !== 0) {
    const got = await tryListen(preferred);
    if (got !== null) return got;
  }
  return (await tryListen(0)) as number;
}

const jsonMessage = (line: string, message: string): Record<string, unknown> | null => {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    return o.message === message ? o : null;
  } catch {
    return null;
  }
};

export async function startEmulator(children: Children): Promise<string> {
  children.start('gemini-emulator', ENTRY.emulator, ['--port', '0', '--config', EMULATOR_CONFIG], {});
  const line = await children.waitForLine('gemini-emulator', (l) => l.includes('listening on http'), 30_000);
  return /listening on (http\S+)/.exec(line)?.[1] as string;
}

export async function startWorker(children: Children, env: Record<string, string>): Promise<string> {
  children.start('worker', ENTRY.worker, [], {
    ...env,
    LOG_LEVEL: 'info',
    WORKER_METRICS_PORT: '0',
    WORKER_CONCURRENCY: '8',
    // The demo runs one batch on demand; it must not install a nightly schedule in this Redis.
    RECS_SCHEDULER_ENABLED: 'false',
    // Ctrl-C should not wait long for in-flight generations.
    WORKER_DRAIN_MS: '1000',
    WORKER_SHUTDOWN_TIMEOUT_MS: '8000',
  });
  const line = await children.waitForLine('worker', (l) => jsonMessage(l, 'worker started') !== null, 60_000);
  return `http://127.0.0.1:${String(jsonMessage(line, 'worker started')?.metricsPort)}`;
}

export async function startApi(
  children: Children,
  env: Record<string, string>,
  port: number,
  credentials: { apiToken: string; adminToken: string; bullBoardUser: string; bullBoardPassword: string },
): Promise<string> {
  children.start('api', ENTRY.api, [], {
    ...env,
    LOG_LEVEL: 'info',
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    API_TOKENS: credentials.apiToken,
    ADMIN_TOKEN: credentials.adminToken,
    BULL_BOARD_USER: credentials.bullBoardUser,
    BULL_BOARD_PASSWORD: credentials.bullBoardPassword,
    API_SHUTDOWN_TIMEOUT_MS: '2000',
  });
  const line = await children.waitForLine('api', (l) => jsonMessage(l, 'listening') !== null, 60_000);
  const url = `http://127.0.0.1:${String(jsonMessage(line, 'listening')?.port)}`;
  // Listening is not ready: wait until Redis and PostgreSQL answer its readiness probe.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    if (res?.status === 200) return url;
    if (Date.now() > deadline)
      throw new Error(`the API at ${url} is not ready (GET /readyz: ${res?.status ?? 'no answer'})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
