import type { Logger } from '@mealwise/logging';
import type { Redis } from 'ioredis';
import type { PoolKey } from './keys.ts';
import type { PoolLimits } from './types.ts';

export interface KeyPoolOptions {
  /** A `createRedis(url, {role: 'command'})` client: its command timeout bounds every call. */
  redis: Redis;
  keys: readonly PoolKey[];
  /** Limits per (project, model). */
  limits: PoolLimits;
  /** Per-model overrides, for a fallback model whose free tier differs. */
  modelLimits?: Readonly<Record<string, Partial<PoolLimits>>>;
  /** Models `status()` reports on, primary first (`GEMINI_MODEL`, then `GEMINI_FALLBACK_MODELS`). */
  models?: readonly string[];
  /** Prefix of every Redis key of the pool; hash-tag it (`{gemini}:`) on Redis Cluster. Default `gemini:`. */
  prefix?: string;
  logger?: Logger;
  /** Test clock (ms): passed to the scripts instead of Redis `TIME`. Production leaves it unset. */
  now?: () => number;
  /** Random extra cooldown after a 429 so processes do not all come back at the same instant. Default 250-1500 ms. */
  cooldownJitterMs?: { min: number; max: number };
  /** Entries kept in `rotation_log`. Default 1000. */
  rotationLogSize?: number;
  /** Source of randomness for the jitter (tests). */
  random?: () => number;
  /**
   * Extra length (ms) of the rolling window admissions are counted over: Google counts a request
   * when it arrives, we count it when we admit it, and the time in between varies by request — a
   * guard keeps "at most RPM in any 60 s" true at Google's end too. Default 0 (exact 60 s);
   * the apps default to 1 s (`GEMINI_RPM_WINDOW_GUARD_MS`).
   */
  windowGuardMs?: number;
  /** Most acquire() calls of this process admitted by one script run (1 = no coalescing). Default 64. */
  maxBatch?: number;
  /** Script runs per model this process keeps in flight before coalescing calls. Default 2. */
  maxInFlight?: number;
  /**
   * Upper bound on one Redis round trip when the client has no `commandTimeout` of its own (a
   * `command`-role client has one, and then this is not used). Default 10 s.
   */
  timeoutMs?: number;
}

const MODEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function assertModel(model: string): void {
  if (!MODEL.test(model)) {
    throw new TypeError(`key pool: invalid model id "${model}" (letters, digits, '.', '_', '-')`);
  }
}

function assertLimits(limits: Partial<PoolLimits>, where: string): void {
  for (const [name, value] of Object.entries(limits)) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`key pool: ${where}.${name} must be a positive integer (got ${value})`);
    }
  }
}

export function validateOptions(o: KeyPoolOptions): void {
  if (o.keys.length === 0) throw new TypeError('key pool: no keys');
  assertLimits(o.limits, 'limits');
  for (const [model, l] of Object.entries(o.modelLimits ?? {})) {
    assertModel(model);
    assertLimits(l, `modelLimits.${model}`);
  }
  for (const m of o.models ?? []) assertModel(m);
  if (o.prefix !== undefined && o.prefix === '') throw new TypeError('key pool: prefix must not be empty');
  const j = o.cooldownJitterMs;
  if (j && !(j.min >= 0 && j.max >= j.min))
    throw new TypeError('key pool: cooldownJitterMs needs 0 <= min <= max');
  if (
    o.rotationLogSize !== undefined &&
    !(Number.isSafeInteger(o.rotationLogSize) && o.rotationLogSize > 0)
  ) {
    throw new TypeError('key pool: rotationLogSize must be a positive integer');
  }
  for (const name of ['maxBatch', 'maxInFlight'] as const) {
    const v = o[name];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1))
      throw new TypeError(`key pool: ${name} must be >= 1`);
  }
  // The scripts build key names from the prefix themselves; a client-side keyPrefix would apply to
  // the declared keys only and split the pool's state.
  if (o.redis.options.keyPrefix) throw new TypeError('key pool: use the pool prefix, not ioredis keyPrefix');
}

/**
 * Keys grouped by project, sorted by project then fingerprint — never by position in the config,
 * so reordering the list changes nothing — in the scripts' forms: `N, (project, K, fp...)...`
 * (status) and `N, (project, "fp,fp")...` (acquire, which reads only the projects it tries).
 */
export function projectArgs(keys: readonly PoolKey[]): {
  args: string[];
  compact: string[];
  byProject: Map<string, string[]>;
} {
  const byProject = new Map<string, string[]>();
  for (const k of keys) {
    const list = byProject.get(k.project) ?? [];
    list.push(k.fingerprint);
    byProject.set(k.project, list);
  }
  const projects = [...byProject.keys()].sort();
  const args = [String(projects.length)];
  const compact = [String(projects.length)];
  for (const p of projects) {
    const fps = byProject.get(p)!.sort();
    args.push(p, String(fps.length), ...fps);
    compact.push(p, fps.join(','));
  }
  return { args, compact, byProject };
}
