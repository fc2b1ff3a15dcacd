import type { KeySource, Lease } from '@mealwise/key-pool';
import { NoCapacityError } from '@mealwise/key-pool';
import { type Logger, silentLogger } from '@mealwise/logging';
import type { UserStats } from '@mealwise/stats';
import { parseResponse, type Usage, usageOf } from './answer.ts';
import { type BackoffOptions, backoffDelay, sleep as realSleep } from './backoff.ts';
import { GeminiCaller } from './caller.ts';
import { type Classified, classifyError } from './classify.ts';
import {
  GeminiConfigurationError,
  type GeminiError,
  GenerationCancelledError,
  GenerationFailedError,
  InvalidAnswerError,
  ModelNotFoundError,
  TransientError,
} from './errors.ts';
import { buildPrompt, estimateTokens } from './prompts.ts';

export const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com';

export interface RecommendationGeneratorOptions {
  keys: KeySource;
  /** Default `gemini-2.5-flash-lite` (GEMINI_MODEL). */
  model?: string;
  /** Tried in order when the previous model's quota is gone for the day (GEMINI_FALLBACK_MODELS). */
  fallbackModels?: string[];
  /** Default `v1beta` (GEMINI_API_VERSION); the SDK's own default (v1) is never used. */
  apiVersion?: string;
  /** Default Google's (GEMINI_BASE_URL); the emulator's URL in tests and the demo. */
  baseUrl?: string;
  /** Per-request timeout, ms (GEMINI_TIMEOUT_MS, default 30 000). */
  timeoutMs?: number;
  /** Budget for one whole generation, retries and backoff included (default 120 000). */
  totalDeadlineMs?: number;
  /** Calls per generation, all causes together (default 6). */
  maxAttempts?: number;
  /** Thinking tokens (default 0: they cost quota and latency for nothing here). */
  thinkingBudget?: number;
  temperature?: number;
  maxOutputTokens?: number;
  backoff?: BackoffOptions;
  /** Window of the statistics, for the prompt (default 30 days). */
  statsDays?: number;
  logger?: Logger;
  /** Called after every Gemini call (metrics): what it returned, never the key. */
  onCall?: (call: GeminiCallEvent) => void;
  /** Injection points for tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** One Gemini call as seen by `onCall`. */
export interface GeminiCallEvent {
  model: string;
  keyFingerprint: string;
  /** `ok`, or the typed error's code (`RATE_LIMITED`, `INVALID_KEY`, `TRANSIENT`, `INVALID_ANSWER`, ...). */
  status: string;
  /** The error's detail (scope, reason or kind), `ok` on success. */
  reason: string;
  callMs: number;
}

export interface GenerateOptions {
  /** The caller's cancellation (job shutdown); distinct from the per-request timeout. */
  signal?: AbortSignal;
  /** For logs only. */
  tgid?: number | string;
  /** For logs only: the batch run this generation belongs to (a per-run generation marker). */
  runId?: string;
}

export interface Recommendation {
  summary: string;
  tips: string[];
  model: string;
  keyFingerprint: string;
  usage: Usage;
  /** Whole generation, retries included, ms. */
  latencyMs: number;
  /** Calls made (1 = first try succeeded). */
  attempts: number;
}

/**
 * Generates one user's summary and tips with Gemini: builds the prompt, takes a key from the
 * pool, calls generateContent with structured output, validates the answer, classifies failures
 * and reports each call's outcome to the pool. Retries inside one generation: another key after a
 * rate limit or an invalid key, jittered backoff after a transient failure, one more call after an
 * invalid answer — bounded by `maxAttempts` and `totalDeadlineMs`.
 *
 * Thrown: NoCapacityError (from the pool, unchanged: pause until `retryAt`), ModelNotFoundError
 * and GeminiConfigurationError (configuration: stop), GenerationCancelledError (caller's signal),
 * GenerationFailedError (gave up; `retryable` says whether a later job attempt can succeed).
 */
export class RecommendationGenerator {
  readonly #keys: KeySource;
  readonly #models: string[];
  readonly #timeoutMs: number;
  readonly #apiVersion: string;
  readonly #caller: GeminiCaller;
  readonly #deadlineMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: BackoffOptions;
  readonly #statsDays: number;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #onCall: (call: GeminiCallEvent) => void;
  /** Models the pool said are out for the day, until when: later generations start past them. */
  readonly #exhaustedUntil = new Map<string, number>();

  constructor(options: RecommendationGeneratorOptions) {
    this.#keys = options.keys;
    this.#models = [options.model ?? 'gemini-2.5-flash-lite', ...(options.fallbackModels ?? [])];
    this.#apiVersion = options.apiVersion ?? 'v1beta';
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#deadlineMs = options.totalDeadlineMs ?? 120_000;
    this.#maxAttempts = options.maxAttempts ?? 6;
    this.#caller = new GeminiCaller({
      apiVersion: this.#apiVersion,
      baseUrl: options.baseUrl ?? GOOGLE_BASE_URL,
      timeoutMs: this.#timeoutMs,
      thinkingBudget: options.thinkingBudget ?? 0,
      temperature: options.temperature ?? 0.4,
      maxOutputTokens: options.maxOutputTokens ?? 512,
    });
    this.#backoff = options.backoff ?? {};
    this.#statsDays = options.statsDays ?? 30;
    this.#log = (options.logger ?? silentLogger()).child({ module: 'gemini' });
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#onCall = options.onCall ?? (() => {});
  }

  /** The models this generator may use, primary first. */
  get models(): readonly string[] {
    return this.#models;
  }

  async generateRecommendation(stats: UserStats, options: GenerateOptions = {}): Promise<Recommendation> {
    const { signal, tgid, runId } = options;
    const started = this.#now();
    const deadline = started + this.#deadlineMs;
    const prompt = buildPrompt(stats, { days: this.#statsDays });
    const estimatedTokens = estimateTokens(prompt);
    let modelIndex = this.#firstAvailableModel(started);
    let attempts = 0;
    let transientRetries = 0;
    let invalidAnswers = 0;
    let last: GeminiError | undefined;
    const giveUp = (why: string): never => {
      const error = new GenerationFailedError(last ?? new TransientError('deadline', why), attempts, why);
      this.#log.error('recommendation failed', {
        tgid,
        attempts,
        code: error.lastError.code,
        retryable: error.retryable,
        why,
        generation_time_ms: this.#now() - started,
      });
      throw error;
    };

    for (;;) {
      if (signal?.aborted) throw new GenerationCancelledError({ cause: signal.reason });
      if (attempts >= this.#maxAttempts) giveUp(`${attempts} attempts used`);
      if (this.#now() >= deadline) giveUp(`deadline of ${this.#deadlineMs} ms passed`);
      const model = this.#models[modelIndex]!;
      let lease: Lease;
      try {
        lease = await this.#keys.acquire(model, { estimatedTokens });
      } catch (err) {
        if (
          err instanceof NoCapacityError &&
          err.reason === 'quota_exhausted' &&
          modelIndex < this.#models.length - 1
        ) {
          if (err.retryAt !== null) this.#exhaustedUntil.set(model, err.retryAt);
          modelIndex++;
          this.#log.warn('daily quota gone on every project; switching model', {
            tgid,
            from: model,
            to: this.#models[modelIndex],
          });
          continue;
        }
        throw err;
      }
      attempts++;
      const callStarted = this.#now();
      let classified: Classified;
      let usage: Usage | undefined;
      try {
        const timeout = Math.max(1, Math.min(this.#timeoutMs, deadline - callStarted));
        const response = await this.#caller.call(lease, model, prompt, timeout, signal);
        usage = usageOf(response);
        const answer = parseResponse(response);
        this.#onCall({
          model,
          keyFingerprint: lease.fingerprint,
          status: 'ok',
          reason: 'ok',
          callMs: this.#now() - callStarted,
        });
        await this.#keys.report(lease, {
          kind: 'success',
          usage: { promptTokens: usage.promptTokens, totalTokens: usage.totalTokens },
        });
        const latencyMs = this.#now() - started;
        this.#log.info('recommendation generated', {
          tgid,
          ...(runId ? { runId } : {}),
          keyFingerprint: lease.fingerprint,
          model,
          attempts,
          promptTokens: usage.promptTokens,
          outputTokens: usage.outputTokens,
          totalTokens: usage.totalTokens,
          generation_time_ms: latencyMs,
        });
        return { ...answer, model, keyFingerprint: lease.fingerprint, usage, latencyMs, attempts };
      } catch (err) {
        if (err instanceof InvalidAnswerError) {
          // The key did its job and the tokens were spent: a success for the pool.
          classified = {
            error: err,
            outcome: {
              kind: 'success',
              ...(usage
                ? { usage: { promptTokens: usage.promptTokens, totalTokens: usage.totalTokens } }
                : {}),
            },
          };
        } else {
          const c = classifyError(err, {
            model,
            apiVersion: this.#apiVersion,
            callerSignal: signal,
            key: lease.key,
          });
          if (!c) {
            await this.#keys.report(lease, { kind: 'neutral', reason: 'client_error' });
            throw err;
          }
          classified = c;
        }
      }

      const { error, outcome } = classified;
      last = error;
      await this.#keys.report(lease, outcome);
      const detail =
        'reason' in error
          ? error.reason
          : 'scope' in error
            ? error.scope
            : 'kind' in error
              ? error.kind
              : undefined;
      const callMs = this.#now() - callStarted;
      this.#onCall({
        model,
        keyFingerprint: lease.fingerprint,
        status: error.code,
        reason: String(detail ?? error.code.toLowerCase()),
        callMs,
      });
      this.#log.warn('gemini call failed', {
        tgid,
        keyFingerprint: lease.fingerprint,
        model,
        attempt: attempts,
        code: error.code,
        outcome: outcome.kind,
        detail,
        call_ms: callMs,
      });
      if (error instanceof GenerationCancelledError) throw error;
      if (error instanceof ModelNotFoundError || error instanceof GeminiConfigurationError) throw error;
      if (error instanceof InvalidAnswerError) {
        if (++invalidAnswers > 1) giveUp('answer invalid twice');
        continue;
      }
      if (!error.retryable) giveUp(error.code.toLowerCase());
      if (error instanceof TransientError) {
        const delay = Math.min(
          backoffDelay(++transientRetries, this.#backoff, this.#random),
          deadline - this.#now(),
        );
        if (delay > 0) {
          try {
            await this.#sleep(delay, signal);
          } catch (cause) {
            throw new GenerationCancelledError({ cause });
          }
        }
      }
      // Rate limit or invalid key: the pool now knows; the next acquire hands out another key.
    }
  }

  #firstAvailableModel(now: number): number {
    for (let i = 0; i < this.#models.length - 1; i++) {
      const until = this.#exhaustedUntil.get(this.#models[i]!);
      if (until === undefined || until <= now) return i;
    }
    return this.#models.length - 1;
  }
}
