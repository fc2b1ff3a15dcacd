// A redis-server of the scenario's own (never the shared one on 6379): AOF with
// `appendfsync everysec`, no RDB snapshots, noeviction (BullMQ needs it), on a free port, data in
// the artifacts directory. `restart()` stops it and starts it again on the same port and data.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@mealwise/testing';
import { type ManagedProcess, startProcess } from './processes.ts';

export interface RedisServerHandle {
  port: number;
  url: string;
  dir: string;
  process(): ManagedProcess;
  /**
   * Stops the server (`SIGTERM`: Redis fsyncs the AOF and exits; `SIGKILL`: a crash, up to 1 s of
   * writes lost as `everysec` allows), waits `downMs`, starts it again. Returns the ms it was down.
   */
  restart(o?: { signal?: 'SIGTERM' | 'SIGKILL'; downMs?: number }): Promise<number>;
  /** Stops it (or returns when already stopped). */
  stopServer(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again after `stopServer`. */
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisServer(o: {
  artifactsDir: string;
  port?: number;
}): Promise<RedisServerHandle> {
  const port = o.port ?? (await freePort());
  const dir = join(o.artifactsDir, 'redis-data');
  mkdirSync(dir, { recursive: true });
  let generation = 0;
  let current: ManagedProcess | undefined;
  const launch = async () => {
    generation++;
    const p = startProcess(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'no',
        '--daemonize',
        'no',
        '--loglevel',
        'notice',
      ],
      {
        kind: 'command',
        label: `redis-${generation}`,
        logFile: join(o.artifactsDir, `redis-${generation}.log`),
      },
    );
    current = p;
    await p.waitForLine('Ready to accept connections', 20_000);
  };
  await launch();
  const stopServer = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (!current || current.dead) return;
    current.kill(signal);
    await current.exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    process: () => current!,
    stopServer,
    startServer: launch,
    async restart({ signal = 'SIGTERM', downMs = 2_000 } = {}) {
      const t0 = Date.now();
      await stopServer(signal);
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
      return Date.now() - t0;
    },
    stop: () => stopServer('SIGTERM'),
  };
}
