import crypto from 'node:crypto';
import type { EnqueuedUserJob } from '@mealwise/jobs';
import type { Logger } from '@mealwise/logging';
import { type RecommendationMiss, recommendationRecordSchema } from '@mealwise/recs';
import { DependencyUnavailableError, isPostgresUnavailable } from '../errors.ts';
import type { JobProducer, RecordReader, StatsReader } from '../ports.ts';

export type RecommendationResult =
  | { kind: 'hit'; raw: string; etag: string }
  | { kind: 'miss'; body: RecommendationMiss; job: EnqueuedUserJob | null };

export interface RecommendationsServiceOptions {
  records: RecordReader;
  stats: StatsReader;
  producer: JobProducer;
  /** `RECS_MIN_ORDERS` / `RECS_DAYS`: who gets a generation job on a miss; the stats window. */
  minOrders: number;
  days: number;
  /** Distinct records whose validity is remembered (see RecordVerdicts). */
  verdictCacheSize?: number;
}

/** Strong ETag of a stored record: a hash of the exact bytes served. */
export function etagOf(raw: string): string {
  return `"${crypto.hash('sha1', raw, 'base64url')}"`;
}

/**
 * Remembers, per ETag, whether a stored string is a valid record. The hot path must not send a
 * corrupt record, yet must not parse what it sends: each distinct record is validated
 * (JSON.parse + the zod schema) the first time it is seen, and its verdict reused until it
 * changes — records change at most nightly. Bounded; the oldest verdicts are dropped first.
 */
class RecordVerdicts {
  readonly #verdicts = new Map<string, string | null>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** null when `raw` is a valid record, else why not. */
  problem(etag: string, raw: string): string | null {
    const known = this.#verdicts.get(etag);
    if (known !== undefined) return known;
    const problem = validate(raw);
    if (this.#verdicts.size >= this.#max) {
      this.#verdicts.delete(this.#verdicts.keys().next().value!);
    }
    this.#verdicts.set(etag, problem);
    return problem;
  }
}

function validate(raw: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'not JSON';
  }
  const result = recommendationRecordSchema.safeParse(parsed);
  if (result.success) return null;
  const issue = result.error.issues[0];
  return issue ? `${issue.path.join('.') || '(record)'}: ${issue.message}` : 'invalid record';
}

/**
 * GET /v1/users/:tgid/recommendations: the cached record as stored, or (miss, corrupt record) the
 * seed's fallback with live statistics — plus, for an active user, a deduplicated on-demand job so
 * the next visit hits.
 */
export class RecommendationsService {
  readonly #records: RecordReader;
  readonly #stats: StatsReader;
  readonly #producer: JobProducer;
  readonly #minOrders: number;
  readonly #days: number;
  readonly #verdicts: RecordVerdicts;

  constructor(options: RecommendationsServiceOptions) {
    this.#records = options.records;
    this.#stats = options.stats;
    this.#producer = options.producer;
    this.#minOrders = options.minOrders;
    this.#days = options.days;
    this.#verdicts = new RecordVerdicts(options.verdictCacheSize ?? 10_000);
  }

  async read(tgid: number, log: () => Logger): Promise<RecommendationResult> {
    let raw: string | null;
    try {
      raw = await this.#records.getRaw(tgid);
    } catch (err) {
      throw new DependencyUnavailableError('redis', err);
    }
    if (raw !== null) {
      const etag = etagOf(raw);
      const problem = this.#verdicts.problem(etag, raw);
      if (problem === null) return { kind: 'hit', raw, etag };
      log().warn('corrupt cached record served as a miss', { tgid, problem, bytes: raw.length });
    }
    return this.#miss(tgid, log);
  }

  async #miss(tgid: number, log: () => Logger): Promise<RecommendationResult> {
    let stats: RecommendationMiss['stats'];
    let active: boolean;
    try {
      [stats, active] = await Promise.all([
        this.#stats.getUserStats(tgid, { days: this.#days }),
        this.#stats.isActiveUser(tgid, { minOrders: this.#minOrders, days: this.#days }),
      ]);
    } catch (err) {
      if (isPostgresUnavailable(err)) throw new DependencyUnavailableError('postgres', err);
      throw err;
    }
    let job: EnqueuedUserJob | null = null;
    if (active) {
      // Best effort: the answer (live stats) does not depend on the job; the next visit retries.
      try {
        job = await this.#producer.enqueueOnDemand(tgid, 'miss');
      } catch (err) {
        log().warn('could not enqueue a generation job for a miss', { tgid, error: (err as Error).message });
      }
    }
    return { kind: 'miss', body: { summary: null, tips: [], stats, generated_at: null }, job };
  }

  /** POST …/refresh: a deduplicated high-priority job. */
  async refresh(tgid: number): Promise<EnqueuedUserJob> {
    try {
      return await this.#producer.enqueueOnDemand(tgid, 'refresh');
    } catch (err) {
      throw new DependencyUnavailableError('redis', err);
    }
  }
}
