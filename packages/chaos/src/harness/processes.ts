// Every child process a scenario starts goes through here: its output is teed to a log file in the
// scenario's artifacts directory (what the secrets scan reads), and it is registered so that it is
// reaped — on `stop()`, when a test fails, and when the Jest process itself exits — by its own pid.
import { createWriteStream, type WriteStream } from 'node:fs';
import { type Spawned, type SpawnOptions, spawnNodeTs, spawnProcess } from '@mealwise/testing';

export interface ManagedProcess extends Spawned {
  /** What it is, e.g. `worker-2` (also its log file's name). */
  label: string;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal name). */
  stop(graceMs?: number): Promise<number | string>;
  /** True once it has exited. */
  readonly dead: boolean;
}

const live = new Set<ManagedProcess>();
let hooked = false;

/** Last resort: the Jest process is exiting (normally or on a failure) — kill what is left, by pid. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const p of live) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export interface StartOptions extends SpawnOptions {
  label: string;
  logFile: string;
  /** A `.ts` entry point of this repo run with the source condition, or a plain command. */
  kind: 'node-ts' | 'command';
}

export function startProcess(command: string, args: string[], o: StartOptions): ManagedProcess {
  hookExit();
  const spawned =
    o.kind === 'node-ts'
      ? spawnNodeTs(command, args, { env: o.env, cwd: o.cwd, echo: o.echo })
      : spawnProcess(command, args, { env: o.env, cwd: o.cwd, echo: o.echo });
  const log: WriteStream = createWriteStream(o.logFile, { flags: 'a' });
  spawned.child.stdout?.on('data', (b: Buffer) => log.write(b));
  spawned.child.stderr?.on('data', (b: Buffer) => log.write(b));
  let dead = false;
  const p: ManagedProcess = {
    ...spawned,
    label: o.label,
    logFile: o.logFile,
    get dead() {
      return dead;
    },
    stop: async (graceMs = 10_000) => {
      if (!dead) {
        spawned.kill('SIGTERM');
        const timer = setTimeout(() => spawned.kill('SIGKILL'), graceMs);
        const code = await spawned.exited;
        clearTimeout(timer);
        return code;
      }
      return spawned.exited;
    },
  };
  live.add(p);
  void spawned.exited.then(() => {
    dead = true;
    live.delete(p);
    // Let the pipes drain into the file before closing it.
    setTimeout(() => log.end(), 50);
  });
  return p;
}

/** SIGKILLs every registered process still alive (a failed test's teardown). */
export async function reapAll(): Promise<void> {
  const all = [...live];
  for (const p of all) p.kill('SIGKILL');
  await Promise.all(all.map((p) => p.exited));
}

export function liveProcesses(): readonly ManagedProcess[] {
  return [...live];
}
