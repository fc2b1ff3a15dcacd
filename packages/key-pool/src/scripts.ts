import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

// The Lua scripts (src/lua/<name>-<numberOfKeys>.lua; each opens with a header listing KEYS, ARGV
// and its return value) registered on the client with `defineCommand`, so ioredis sends EVALSHA
// and falls back to EVAL after a Redis restart emptied the script cache.

/** Return codes of acquire-3.lua (why the requests past the admitted ones were refused). */
export const AcquireCode = {
  ALL_ADMITTED: 0,
  RATE_LIMITED: 2,
  QUOTA_EXHAUSTED: 3,
  ALL_INVALID: 4,
  CLOCK_OUT_OF_RANGE: 5,
} as const;
export type AcquireCode = (typeof AcquireCode)[keyof typeof AcquireCode];

/** Return codes of report-1.lua. */
export const ReportCode = {
  /** The state began (a cooldown, an exhaustion, an invalid mark) or a reservation was settled. */
  STARTED: 1,
  /** A running cooldown was pushed further out. */
  EXTENDED: 2,
  /** Nothing changed: the existing state already covers it (a longer cooldown is never shortened). */
  KEPT: 3,
  CLOCK_OUT_OF_RANGE: 5,
} as const;
export type ReportCode = (typeof ReportCode)[keyof typeof ReportCode];

type Reply = (string | number)[];

const SCRIPTS = {
  mealwiseKeyPoolAcquire: { file: 'acquire-3.lua', keys: 3 },
  mealwiseKeyPoolReport: { file: 'report-1.lua', keys: 1 },
  mealwiseKeyPoolStatus: { file: 'status-1.lua', keys: 1 },
  mealwiseKeyPoolResetInvalid: { file: 'reset-invalid-1.lua', keys: 1 },
} as const;
type ScriptName = keyof typeof SCRIPTS;

let sources: Record<ScriptName, string> | undefined;
function loadSources(): Record<ScriptName, string> {
  sources ??= Object.fromEntries(
    Object.entries(SCRIPTS).map(([name, s]) => [
      name,
      readFileSync(new URL(`./lua/${s.file}`, import.meta.url), 'utf8'),
    ]),
  ) as Record<ScriptName, string>;
  return sources;
}

// Every script declares the rolling window as `local WINDOW = 60000`. The pool's window is a
// fixed property of its configuration, so it is written into the source (one SHA per window)
// rather than passed on every call.
const WINDOW_DECLARATION = /^local WINDOW = 60000$/m;
function withWindow(lua: string, windowMs: number): string {
  return lua.replace(WINDOW_DECLARATION, `local WINDOW = ${windowMs}`);
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/** Typed access to the pool's scripts on one client. */
export class PoolScripts {
  readonly #redis: Redis;
  readonly #suffix: string;

  /** `windowMs`: the rolling window admissions are counted over (60 s plus the pool's guard). */
  constructor(redis: Redis, windowMs = 60_000) {
    if (!Number.isInteger(windowMs) || windowMs < 1_000)
      throw new RangeError('windowMs must be an integer >= 1000');
    this.#redis = redis;
    this.#suffix = windowMs === 60_000 ? '' : `_${windowMs}`;
    const lua = loadSources();
    for (const [name, s] of Object.entries(SCRIPTS) as [ScriptName, (typeof SCRIPTS)[ScriptName]][]) {
      // Idempotent: several pools may share a client (pools with other windows get other names).
      const command = `${name}${this.#suffix}`;
      if (typeof (redis as unknown as Record<string, unknown>)[command] !== 'function') {
        redis.defineCommand(command, { lua: withWindow(lua[name], windowMs), numberOfKeys: s.keys });
      }
    }
  }

  #call(name: ScriptName, args: (string | number)[]): Promise<unknown> {
    const command = `${name}${this.#suffix}`;
    return ((this.#redis as unknown as Record<string, ScriptFn>)[command] as ScriptFn).apply(
      this.#redis,
      args,
    );
  }

  acquire(args: (string | number)[]): Promise<Reply> {
    return this.#call('mealwiseKeyPoolAcquire', args) as Promise<Reply>;
  }

  report(args: (string | number)[]): Promise<Reply> {
    return this.#call('mealwiseKeyPoolReport', args) as Promise<Reply>;
  }

  status(args: (string | number)[]): Promise<string> {
    return this.#call('mealwiseKeyPoolStatus', args) as Promise<string>;
  }

  resetInvalid(args: (string | number)[]): Promise<string[]> {
    return this.#call('mealwiseKeyPoolResetInvalid', args) as Promise<string[]>;
  }
}
