// The reliability harness's public shapes: what a scenario asks of a stack (StackOptions) and what
// it gets back (Stack and the handles of the processes it starts). startStack builds them (stack.ts).
import type { EmulatorConfigInput } from '@mealwise/gemini-emulator';
import type { RecsProducer, RunSummary, RunSummaryStore } from '@mealwise/jobs';
import type { Redis } from '@mealwise/redis';
import type { EmulatorProcess } from './emulator.ts';
import type { Invariants } from './invariants.ts';
import type { ManagedProcess } from './processes.ts';
import type { TcpProxy } from './proxy.ts';
import type { RedisServerHandle } from './redis-server.ts';
import type { SecretHit, SecretSpec } from './secrets.ts';

export interface StackOptions {
  /** Scenario id, e.g. `01-worker-crashes`: names the artifacts directory and the report row. */
  name: string;
  /** Active users seeded (all of them active). Default 200. */
  users?: number;
  seed?: number;
  /**
   * `GEMINI_API_KEYS` for the worker and API (`project:key,…`). Default: three projects with one
   * random key each. Every key listed is made a valid key of its project at the emulator unless
   * `emulator.keys` says otherwise.
   */
  keys?: string;
  /** Partial emulator config, merged over the defaults (generous limits, 20–60 ms latency). */
  emulator?: EmulatorConfigInput;
  /** Always true: the stack runs its own redis-server (AOF, everysec). Kept for the brief's API. */
  ownRedis?: boolean;
  /** Put PostgreSQL behind a TCP proxy the scenario can cut (`stack.pgProxy`). */
  pgProxy?: boolean;
  /** Extra env for every worker, API and CLI process. */
  env?: Record<string, string | number>;
  /** Echo children's output to stderr (debugging); also MEALWISE_CHAOS_ECHO=1. */
  echo?: boolean;
}

export interface WorkerHandle extends ManagedProcess {
  metricsPort: number;
}

export interface ApiHandle extends ManagedProcess {
  url: string;
  port: number;
}

export interface Tokens {
  api: string;
  admin: string;
  telegram: string;
  bullBoardUser: string;
  bullBoardPassword: string;
}

export interface Stack {
  name: string;
  artifactsDir: string;
  users: number;
  /** The seeded users' tgids (all active), ascending. */
  tgids: number[];
  /** What workers/API/CLI connect to (through the proxy when `pgProxy`). */
  databaseUrl: string;
  /** Direct URL (the harness's own checks; never cut). */
  directDatabaseUrl: string;
  redisUrl: string;
  redisServer: RedisServerHandle;
  pgProxy: TcpProxy | undefined;
  /** The harness's own Redis connection (retries through restarts). */
  redis: Redis;
  runs: RunSummaryStore;
  producer: RecsProducer;
  keys: { project: string; key: string; fingerprint: string }[];
  tokens: Tokens;
  /** Every configured secret (keys and tokens) with a label that never contains it. */
  secrets: SecretSpec[];
  /** Redis prefixes the apps use (defaults: the stack's Redis is its own). */
  poolPrefix: string;
  recordPrefix: string;
  bullPrefix: string;
  emulator: EmulatorProcess;
  workers: WorkerHandle[];
  apis: ApiHandle[];
  /** The environment every child gets (plus per-process extras). */
  env(extra?: Record<string, string | number>): Record<string, string>;
  startWorker(env?: Record<string, string | number>): Promise<WorkerHandle>;
  startApi(env?: Record<string, string | number>): Promise<ApiHandle>;
  /** Runs the real CLI; output also appended to `cli.log` in the artifacts. */
  cli(
    args: string[],
    env?: Record<string, string | number>,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Starts a batch as an operator would: `mealwise batch run --json` (default) or RecsProducer. */
  triggerBatch(o?: { via?: 'cli' | 'producer'; runId?: string }): Promise<string>;
  waitForRun(runId: string, o?: { timeoutMs?: number }): Promise<RunSummary>;
  /** Fraction of the run's users counted so far (0..1), from the run summary. */
  progress(runId: string): Promise<number>;
  checkInvariants(runId: string): Promise<Invariants>;
  /** Text produced outside the logs (HTTP bodies, error messages) to include in the secrets scan. */
  noteText(where: string, text: string): void;
  /** Scans logs, Redis, /metrics and noted texts for every configured key and token; throws on a hit. */
  scanSecrets(o?: { extra?: SecretSpec[]; throwOnHit?: boolean }): Promise<SecretHit[]>;
  stop(): Promise<void>;
}
