import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (bind to 0, read it, release it). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  /** Every line the process wrote so far (stdout and stderr, in arrival order). */
  lines: string[];
  /** Resolves with the first line (past or future) matching `pattern`. */
  waitForLine(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Echo the child's output to this process's stderr (debugging). */
  echo?: boolean;
}

/**
 * Spawns a real child process (a node entry point or any command) and collects its output line by
 * line, so tests can await "listening" instead of sleeping. Only this pid is ever signalled.
 */
export function spawnProcess(command: string, args: string[], options: SpawnOptions = {}): Spawned {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<{ test: (l: string) => boolean; resolve: (l: string) => void }>();
  const onData = (buf: Buffer, carry: { rest: string }) => {
    const text = carry.rest + buf.toString();
    const parts = text.split('\n');
    carry.rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (options.echo) process.stderr.write(`[${child.pid}] ${line}\n`);
      for (const w of waiters) {
        if (w.test(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  };
  const out = { rest: '' };
  const err = { rest: '' };
  child.stdout!.on('data', (b: Buffer) => onData(b, out));
  child.stderr!.on('data', (b: Buffer) => onData(b, err));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return {
    child,
    pid: child.pid!,
    lines,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    waitForLine(pattern, timeoutMs = 20_000) {
      const test = (l: string) => (typeof pattern === 'string' ? l.includes(pattern) : pattern.test(l));
      const past = lines.find(test);
      if (past !== undefined) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const waiter = { test, resolve };
        waiters.add(waiter);
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${pattern} from pid ${child.pid}; last output:\n${lines.slice(-20).join('\n')}`,
            ),
          );
        }, timeoutMs);
        exited.then((code) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(
            new Error(
              `pid ${child.pid} exited (${code}) before printing ${pattern}:\n${lines.slice(-20).join('\n')}`,
            ),
          );
        });
        const orig = waiter.resolve;
        waiter.resolve = (l) => {
          clearTimeout(timer);
          orig(l);
        };
      });
    },
  };
}

/** Runs a TypeScript entry point of this repo in a child Node (type stripping, source condition). */
export function spawnNodeTs(entry: string, args: string[] = [], options: SpawnOptions = {}): Spawned {
  return spawnProcess(process.execPath, ['--conditions=@mealwise/source', entry, ...args], options);
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
