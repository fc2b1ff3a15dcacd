import { freePort, type Spawned, spawnProcess } from './process.ts';

export interface OwnRedis {
  url: string;
  pid: number;
  /** The redis-server child, for callers that manage their children together. */
  process: Spawned;
  /** Stops this redis-server (by its pid) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server of one's own on a free port, nothing persisted: for tests that stop
 * Redis to see it go away, and benches that must not share the machine's Redis with anything.
 */
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
    process: proc,
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
    },
  };
}
