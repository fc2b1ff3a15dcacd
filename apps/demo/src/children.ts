import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface Started {
  name: string;
  pid: number;
  logFile: string;
}

interface Tracked extends Started {
  child: ChildProcess;
  log: WriteStream;
  exited: Promise<number | string>;
  lines: string[];
  watchers: Set<{ test: (line: string) => boolean; resolve: (line: string) => void }>;
}

export class ChildExitedError extends Error {
  readonly code = 'DEMO_CHILD_EXITED';
  constructor(name: string, status: number | string, logFile: string, tail: string[]) {
    super(`${name} exited (${status}) — last lines of ${logFile}:\n${tail.map((l) => `  ${l}`).join('\n')}`);
    this.name = new.target.name;
  }
}

/**
 * The processes the demo starts: real children, each with its output in a log file. They are only
 * ever signalled by the pid `spawn` returned — Ctrl-C stops these and nothing else.
 */
export class Children {
  readonly #dir: string;
  readonly #children: Tracked[] = [];
  #stopping = false;
  #onUnexpectedExit: (err: ChildExitedError) => void = () => {};

  constructor(logDir: string) {
    this.#dir = logDir;
  }

  get started(): readonly Started[] {
    return this.#children.map(({ name, pid, logFile }) => ({ name, pid, logFile }));
  }

  /** Called when a child dies while the demo still needs it. */
  onUnexpectedExit(fn: (err: ChildExitedError) => void): void {
    this.#onUnexpectedExit = fn;
  }

  /** Starts `node --conditions=@mealwise/source <entry> ...args` with `env` added to this one's. */
  start(name: string, entry: string, args: string[], env: Record<string, string>): Started {
    const logFile = join(this.#dir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--conditions=@mealwise/source', entry, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    const tracked: Tracked = {
      name,
      pid: child.pid,
      logFile,
      child,
      log,
      lines: [],
      watchers: new Set(),
      exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1))),
    };
    const carry = { out: '', err: '' };
    const onData = (which: 'out' | 'err') => (buf: Buffer) => {
      log.write(buf);
      const parts = (carry[which] + buf.toString()).split('\n');
      carry[which] = parts.pop() ?? '';
      for (const line of parts) {
        tracked.lines.push(line);
        if (tracked.lines.length > 200) tracked.lines.shift();
        for (const w of tracked.watchers) {
          if (w.test(line)) {
            tracked.watchers.delete(w);
            w.resolve(line);
          }
        }
      }
    };
    child.stdout?.on('data', onData('out'));
    child.stderr?.on('data', onData('err'));
    void tracked.exited.then((status) => {
      log.end();
      if (!this.#stopping)
        this.#onUnexpectedExit(new ChildExitedError(name, status, logFile, tracked.lines.slice(-15)));
    });
    this.#children.push(tracked);
    return { name, pid: tracked.pid, logFile };
  }

  /** The first line of `name`'s output (past or future) matching `test`. */
  waitForLine(name: string, test: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const t = this.#children.find((c) => c.name === name);
    if (!t) return Promise.reject(new Error(`no child ${name}`));
    const past = t.lines.find(test);
    if (past !== undefined) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        t.watchers.delete(watcher);
        reject(new Error(`${name} did not get ready within ${timeoutMs / 1000} s (see ${t.logFile})`));
      }, timeoutMs);
      const watcher = {
        test,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      t.watchers.add(watcher);
      void t.exited.then((status) => {
        if (!t.watchers.has(watcher)) return;
        t.watchers.delete(watcher);
        clearTimeout(timer);
        reject(new ChildExitedError(name, status, t.logFile, t.lines.slice(-15)));
      });
    });
  }

  /**
   * SIGTERM to every child still running (latest first: api and worker drain before the emulator
   * goes), SIGKILL to any still there after `graceMs`.
   */
  async stopAll(graceMs = 20_000): Promise<void> {
    this.#stopping = true;
    for (const t of [...this.#children].reverse()) {
      if (t.child.exitCode !== null || t.child.signalCode !== null) continue;
      try {
        process.kill(t.pid, 'SIGTERM');
      } catch {
        continue; // already gone
      }
      const killed = await Promise.race([
        t.exited.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (killed) {
        try {
          process.kill(t.pid, 'SIGKILL');
        } catch {
          // exited in between
        }
        await t.exited;
      }
    }
  }
}
