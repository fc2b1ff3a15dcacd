// The Gemini emulator as a child process (its CLI), like a real remote service: a scenario talks
// to it over HTTP only — `/_emulator/stats` and `/_emulator/config`. The config file holds the
// keys, so it lives in a private temporary directory (never in the artifacts the secrets scan
// reads) and is deleted as soon as the emulator has read it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ConfigPatch,
  EmulatorConfig,
  EmulatorConfigInput,
  EmulatorStats,
} from '@mealwise/gemini-emulator';
import { type ManagedProcess, startProcess } from './processes.ts';

export interface EmulatorProcess {
  url: string;
  process: ManagedProcess;
  stats(): Promise<EmulatorStats>;
  /** Its current config, keys replaced by fingerprints (`GET /_emulator/config`). */
  config(): Promise<Omit<EmulatorConfig, 'keys'>>;
  /** Effective RPM of a project+model (project override, else the model default). */
  rpmOf(project: string, model: string): Promise<number | undefined>;
  /** `POST /_emulator/config` (maps merged entry by entry; `exhaust` uses up a quota). */
  setConfig(patch: ConfigPatch): Promise<void>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(o: {
  config: EmulatorConfigInput;
  artifactsDir: string;
  root: string;
}): Promise<EmulatorProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'mealwise-chaos-emu-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(o.config), { mode: 0o600 });
  let p: ManagedProcess;
  let url: string;
  try {
    p = startProcess('packages/gemini-emulator/src/cli.ts', ['--port', '0', '--config', file], {
      kind: 'node-ts',
      cwd: o.root,
      label: 'emulator',
      logFile: join(o.artifactsDir, 'emulator.log'),
    });
    const line = await p.waitForLine('gemini-emulator listening on', 30_000);
    url = /listening on (http:\/\/\S+)/.exec(line)![1]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${url}/_emulator/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  const config = async () => (await admin('config')) as Omit<EmulatorConfig, 'keys'>;
  return {
    url,
    process: p,
    stats: async () => (await admin('stats')) as EmulatorStats,
    config,
    async rpmOf(project, model) {
      const c = await config();
      return c.projects[project]?.limits[model]?.rpm ?? c.models[model]?.rpm;
    },
    setConfig: async (patch) => {
      await admin('config', patch);
    },
    reset: async () => {
      await admin('reset', {});
    },
    stop: async () => {
      await p.stop(5_000);
    },
  };
}
