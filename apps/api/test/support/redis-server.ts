import { freePort, spawnProcess } from '@mealwise/testing';

export interface OwnRedis {
  url: string;
  pid: number;
  /** Stops this redis-server (by its pid) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A throwaway redis-server on a free port, nothing persisted: tests stop it to see Redis go away. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const proc = spawnProcess('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await proc.waitForLine('Ready to accept connections');
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: proc.pid,
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
    },
  };
}
