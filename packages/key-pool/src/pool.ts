import { randomBytes } from 'node:crypto';
import { type Logger, silentLogger } from '@mealwise/logging';
import type { Redis } from 'ioredis';
import { Coalescer } from './coalesce.ts';
import { AllKeysExhaustedError, KeyPoolUnavailableError, NoCapacityError } from './errors.ts';
import { logEvent } from './events.ts';
import type { PoolKey } from './keys.ts';
import { createLease } from './lease.ts';
import { assertModel, type KeyPoolOptions, projectArgs, validateOptions } from './options.ts';
import { DayTableCache, dayTable } from './quota-day.ts';
import { AcquireCode, PoolScripts, ReportCode } from './scripts.ts';
import { buildStatus, type RawStatus } from './status.ts';
import type { CallOutcome, KeySource, Lease, PoolLimits, PoolStatus, RotationEvent } from './types.ts';

const WINDOW_MS = 60_000;

interface PendingAcquire {
  estimate: number;
  resolve: (lease: Lease) => void;
  reject: (err: unknown) => void;
}

/** What `report` did, for the caller's logs and tests. */
export type ReportResult =
  | { recorded: 'nothing' }
  | { recorded: 'cooldown'; until: number; change: 'started' | 'extended' | 'kept' }
  | { recorded: 'exhausted'; until: number; change: 'started' | 'kept' }
  | { recorded: 'invalid'; since: number; change: 'started' | 'kept' }
  | { recorded: 'settled'; tokens: number };

/**
 * The Gemini key pool: admission, quota days, cooldowns and invalid keys for every process that
 * shares one Redis. See README.md for the rules and the Redis layout.
 */
export class KeyPool implements KeySource {
  readonly #redis: Redis;
  readonly #scripts: PoolScripts;
  readonly #keys: readonly PoolKey[];
  readonly #rawKeys: Map<string, string>;
  readonly #projectArgs: string[];
  readonly #acquireProjectArgs: string[];
  readonly #projectFingerprints: Map<string, string>;
  readonly #limits: PoolLimits;
  readonly #modelLimits: Readonly<Record<string, Partial<PoolLimits>>>;
  readonly #models: string[];
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #clock: (() => number) | undefined;
  readonly #jitter: { min: number; max: number };
  readonly #logSize: number;
  readonly #random: () => number;
  readonly #timeoutMs: number | undefined;
  readonly #days = new DayTableCache();
  readonly #checkedModels = new Set<string>();
  readonly #idPrefix = randomBytes(6).toString('base64url');
  #seq = 0;
  // acquire() calls made while this process already has `maxInFlight` script runs in flight for a
  // model go together in the next run (up to `maxBatch`): under load one run admits many requests.
  readonly #coalescer: Coalescer<PendingAcquire>;

  constructor(options: KeyPoolOptions) {
    validateOptions(options);
    this.#redis = options.redis;
    this.#scripts = new PoolScripts(options.redis, WINDOW_MS + (options.windowGuardMs ?? 0));
    this.#keys = [...options.keys];
    this.#rawKeys = new Map(options.keys.map((k) => [k.fingerprint, k.key]));
    const { args, compact, byProject } = projectArgs(options.keys);
    this.#projectArgs = args;
    this.#acquireProjectArgs = compact;
    this.#projectFingerprints = new Map([...byProject].map(([p, fps]) => [p, [...fps].sort().join(',')]));
    this.#limits = { ...options.limits };
    this.#modelLimits = options.modelLimits ?? {};
    this.#models = [...(options.models ?? [])];
    this.#prefix = options.prefix ?? 'gemini:';
    this.#logger = (options.logger ?? silentLogger()).child({ module: 'key-pool' });
    this.#clock = options.now;
    this.#jitter = options.cooldownJitterMs ?? { min: 250, max: 1500 };
    this.#logSize = options.rotationLogSize ?? 1000;
    this.#random = options.random ?? Math.random;
    this.#coalescer = new Coalescer(
      (model, batch) => this.#runBatch(model, batch),
      options.maxBatch ?? 64,
      options.maxInFlight ?? 2,
    );
    this.#timeoutMs =
      typeof options.redis.options.commandTimeout === 'number' ? undefined : (options.timeoutMs ?? 10_000);
  }

  /** The prefix of every Redis key of this pool. */
  get prefix(): string {
    return this.#prefix;
  }

  limitsFor(model: string): PoolLimits {
    return { ...this.#limits, ...this.#modelLimits[model] };
  }

  /** Fingerprints of the configured keys, in configuration order. */
  get fingerprints(): string[] {
    return this.#keys.map((k) => k.fingerprint);
  }

  /** Distinct projects: the budgets the keys add up to (extra keys of one project add nothing). */
  get projects(): string[] {
    return [...this.#projectFingerprints.keys()].sort();
  }

  /**
   * The BullMQ limiter that matches the pool: at most the sum of every project's per-minute limit
   * per 60 s (invalid keys are not subtracted: the pool itself refuses what they cannot serve).
   */
  limiter(model = this.#models[0]): { max: number; duration: number } {
    const rpm = model ? this.limitsFor(model).requestsPerMinute : this.#limits.requestsPerMinute;
    return { max: rpm * this.projects.length, duration: WINDOW_MS };
  }

  /**
   * Admits one request for `model`: picks the least recently used project that has room, a valid
   * key of it, and reserves the request (and `estimatedTokens` when a token budget is set) in the
   * same Lua step. Throws `NoCapacityError` (reason + exact `retryAt`), `AllKeysExhaustedError`
   * when every usable project is out for the day, `KeyPoolUnavailableError` when Redis fails.
   */
  acquire(model: string, options: { estimatedTokens?: number } = {}): Promise<Lease> {
    try {
      this.#checkModel(model);
    } catch (err) {
      return Promise.reject(err);
    }
    const estimate = Math.max(0, Math.ceil(options.estimatedTokens ?? 0));
    return new Promise<Lease>((resolve, reject) =>
      this.#coalescer.push(model, { estimate, resolve, reject }),
    );
  }

  async #runBatch(model: string, batch: PendingAcquire[]): Promise<void> {
    let reply: (string | number)[];
    const first = this.#seq + 1;
    this.#seq += batch.length;
    try {
      const limits = this.limitsFor(model);
      const head = [
        `${this.#prefix}last_project:${model}`,
        `${this.#prefix}rotation_log`,
        `${this.#prefix}current_key`,
        this.#prefix,
        model,
      ];
      const tail = [
        limits.requestsPerMinute,
        limits.requestsPerDay,
        limits.tokensPerMinute ?? 0,
        batch.map((b) => b.estimate).join(','),
        this.#idPrefix,
        first,
      ];
      reply = await this.#withDays(
        (now, days) =>
          this.#scripts.acquire([...head, now, ...tail, ...days, this.#logSize, ...this.#acquireProjectArgs]),
        (r) => Number(r[1]) === AcquireCode.CLOCK_OUT_OF_RANGE,
        (r) => Number(r[3]),
      );
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    const admitted = Number(reply[0]);
    const code = Number(reply[1]);
    const retryAt = Number(reply[2]);
    const now = Number(reply[3]);
    this.#logEvents(reply, 4 + admitted * 3);
    batch.forEach((b, i) => {
      if (i < admitted) {
        const fp = String(reply[4 + i * 3]);
        const lease = createLease(
          {
            fingerprint: fp,
            project: String(reply[5 + i * 3]),
            model,
            admittedAt: now,
            id: `${this.#idPrefix}${first + i}`,
            reservedTokens: Number(reply[6 + i * 3]),
          },
          // The script only admits configured fingerprints, whose keys are all in the map.
          this.#rawKeys.get(fp) as string,
        );
        b.resolve(lease);
      } else if (code === AcquireCode.QUOTA_EXHAUSTED) {
        b.reject(new AllKeysExhaustedError(model, retryAt, now));
      } else if (code === AcquireCode.RATE_LIMITED) {
        b.reject(new NoCapacityError('rate_limited', model, retryAt, now));
      } else if (code === AcquireCode.ALL_INVALID) {
        b.reject(new NoCapacityError('all_invalid', model, null, now));
      } else {
        b.reject(new KeyPoolUnavailableError({ cause: new Error(`acquire script returned code ${code}`) }));
      }
    });
  }

  /**
   * Records what a call with `lease` told us, atomically and for every process: per-day 429 or a
   * zero quota → the (project, model) is out until the next Pacific midnight; any other 429 → a
   * cooldown until max(retryDelay, end of the current 60 s window) + jitter, only ever extended;
   * an invalid key → marked invalid until `resetInvalid`; success → the token reservation is
   * settled with the real usage; neutral failures → nothing held against the key.
   */
  async report(lease: Lease, outcome: CallOutcome): Promise<void> {
    await this.record(lease, outcome);
  }

  /** `report`, returning what changed (for logs, metrics and tests). */
  async record(lease: Lease, outcome: CallOutcome): Promise<ReportResult> {
    switch (outcome.kind) {
      case 'neutral':
        return { recorded: 'nothing' };
      case 'success': {
        const actual = outcome.usage?.promptTokens;
        if (lease.reservedTokens === 0 || actual === undefined || actual === lease.reservedTokens) {
          return { recorded: 'nothing' };
        }
        const tokens = Math.max(0, Math.ceil(actual));
        const r = await this.#report(lease, ['settle', lease.id, lease.reservedTokens, tokens]);
        return r[0] === ReportCode.STARTED ? { recorded: 'settled', tokens } : { recorded: 'nothing' };
      }
      case 'invalid_key': {
        const r = await this.#report(lease, ['invalid', outcome.reason]);
        return {
          recorded: 'invalid',
          since: Number(r[1]),
          change: r[0] === ReportCode.STARTED ? 'started' : 'kept',
        };
      }
      case 'rate_limited': {
        if (outcome.zeroQuota || outcome.scope === 'day') {
          const r = await this.#report(lease, [
            'exhausted',
            outcome.zeroQuota ? 'zero_quota' : 'daily_quota',
          ]);
          return {
            recorded: 'exhausted',
            until: Number(r[1]),
            change: r[0] === ReportCode.STARTED ? 'started' : 'kept',
          };
        }
        const { min, max } = this.#jitter;
        const jitter = min + Math.floor(this.#random() * (max - min + 1));
        const delay = Math.max(0, Math.ceil(outcome.retryDelayMs ?? 0));
        const r = await this.#report(lease, ['cooldown', delay, jitter, outcome.scope]);
        const change =
          r[0] === ReportCode.STARTED ? 'started' : r[0] === ReportCode.EXTENDED ? 'extended' : 'kept';
        if (change === 'extended') {
          this.#logger.info('cooldown extended', {
            project: lease.project,
            model: lease.model,
            fingerprint: lease.fingerprint,
            until: Number(r[1]),
          });
        }
        return { recorded: 'cooldown', until: Number(r[1]), change };
      }
    }
  }

  /** Every key's state and usage, per model, at one instant of Redis' clock. */
  async status(models: readonly string[] = this.#models): Promise<PoolStatus> {
    const list = models.length ? [...models] : [];
    if (list.length === 0) throw new TypeError('key pool: status() needs at least one model');
    for (const m of list) this.#checkModel(m);
    const json = await this.#withDays(
      (now, days) =>
        this.#scripts.status([
          `${this.#prefix}current_key`,
          this.#prefix,
          now,
          ...days,
          list.map((m) => `${m}=${this.limitsFor(m).requestsPerMinute}`).join(','),
          ...this.#projectArgs,
        ]),
      (r) => JSON.parse(r).clock !== undefined,
      (r) => JSON.parse(r).clock as number,
    );
    return buildStatus(
      JSON.parse(json) as RawStatus,
      this.#keys,
      list,
      (m) => this.limitsFor(m),
      this.#limits,
    );
  }

  /**
   * Clears the invalid mark of `fingerprint` (one of the configured keys) or of every configured
   * key. Returns the fingerprints that were invalid.
   */
  async resetInvalid(fingerprint?: string): Promise<string[]> {
    const targets = this.#keys.filter((k) => fingerprint === undefined || k.fingerprint === fingerprint);
    if (fingerprint !== undefined && targets.length === 0) {
      throw new TypeError(`key pool: no configured key has fingerprint ${fingerprint}`);
    }
    const reply = await this.#guard(() =>
      this.#scripts.resetInvalid([
        `${this.#prefix}rotation_log`,
        this.#prefix,
        this.#clock ? String(this.#clock()) : '',
        this.#logSize,
        ...targets.flatMap((k) => [k.fingerprint, k.project]),
      ]),
    );
    const reset: string[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      reset.push(String(reply[i]));
      logEvent(this.#logger, JSON.parse(String(reply[i + 1])) as RotationEvent);
    }
    return reset;
  }

  /** The newest `count` entries of the rotation log, newest first. */
  async rotationLog(count = 20): Promise<RotationEvent[]> {
    const entries = await this.#guard(() =>
      this.#redis.lrange(`${this.#prefix}rotation_log`, 0, Math.max(0, count - 1)),
    );
    return entries.map((e) => JSON.parse(e) as RotationEvent);
  }

  #checkModel(model: string): void {
    if (this.#checkedModels.has(model)) return;
    assertModel(model);
    this.#checkedModels.add(model);
  }

  async #report(lease: Lease, op: (string | number)[]): Promise<(string | number)[]> {
    const reply = await this.#withDays(
      (now, days) =>
        this.#scripts.report([
          `${this.#prefix}rotation_log`,
          this.#prefix,
          lease.model,
          lease.project,
          lease.fingerprint,
          now,
          this.#logSize,
          ...days,
          this.#projectFingerprints.get(lease.project) ?? lease.fingerprint,
          ...op,
        ]),
      (r) => r[0] === ReportCode.CLOCK_OUT_OF_RANGE,
      (r) => Number(r[1]),
    );
    this.#logEvents(reply, 3);
    return reply;
  }

  /**
   * Runs a script with the quota-day table around our clock; if Redis' clock turns out to be in
   * none of those days (ours is off by more than a day), once more with a table around Redis'.
   */
  async #withDays<R>(
    run: (now: string, days: string[]) => Promise<R>,
    outOfRange: (r: R) => boolean,
    redisNow: (r: R) => number,
  ): Promise<R> {
    const clock = this.#clock?.();
    const now = clock === undefined ? '' : String(clock);
    const first = await this.#guard(() => run(now, this.#days.get(clock ?? Date.now())));
    if (!outOfRange(first)) return first;
    const second = await this.#guard(() => run(now, dayTable(redisNow(first))));
    if (outOfRange(second)) {
      throw new KeyPoolUnavailableError({ cause: new Error('Redis clock moved across quota days twice') });
    }
    return second;
  }

  /** Any Redis failure becomes `KeyPoolUnavailableError`: the pool fails closed. */
  async #guard<R>(fn: () => Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    try {
      if (this.#timeoutMs === undefined) return await fn();
      return await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer from Redis in ${this.#timeoutMs} ms`)),
            this.#timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      throw new KeyPoolUnavailableError({ cause: err });
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  #logEvents(reply: (string | number)[], from: number): void {
    for (let i = from; i < reply.length; i++)
      logEvent(this.#logger, JSON.parse(String(reply[i])) as RotationEvent);
  }
}
