import crypto from 'node:crypto';
import type { EnqueuedUserJob } from '@mealwise/jobs';
import type { Logger } from '@mealwise/logging';
import { type RecommendationMiss, recommendationRecordSchema } from '@mealwise/recs';
import { DependencyUnavailableError, isPostgresUnavailable } from '../errors.ts';
import type { JobProducer, RecordReader, StatsReader } from '../ports.ts';

export type RecommendationResult =
  | { kind: 'hit'; raw: string; etag: string; bytes: number }
  | { kind: 'miss'; body: RecommendationMiss; job: EnqueuedUserJob | null };

export interface RecommendationsServiceOptions {
  records: RecordReader;
  stats: StatsReader;
  producer: JobProducer;
  /** `RECS_MIN_ORDERS` / `RECS_DAYS`: who gets a generation job on a miss; the stats window. */
  minOrders: number;
  days: number;
  /** Users whose current record (ETag, validity) is remembered (see RecordMemo). Default 10 000. */
  recordMemoSize?: number;
}

/** Strong ETag of a stored record: a hash of the exact bytes served. */
export function etagOf(raw: string): string {
  return `"${crypto.hash('sha1', raw, 'base64url')}"`;
}

interface KnownRecord {
  raw: string;
  etag: string;
  /** UTF-8 length: the Content-Length. */
  bytes: number;
  /** null when `raw` is a valid record, else why not. */
  problem: string | null;
}

/**
 * What the hot path knows about each user's stored record. It must not send a corrupt record, yet
 * must not parse what it sends: the first time a record is seen it is hashed (ETag), measured and
 * validated (JSON.parse + the zod schema); while the stored string stays the same — records change
 * at most nightly or on a refresh — a repeat costs one string comparison. Bounded (the oldest
 * users are forgotten first): at most `max` records of ~1-3 kB are held.
 */
class RecordMemo {
  readonly #byTgid = new Map<number, KnownRecord>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  lookup(tgid: number, raw: string): KnownRecord {
    const known = this.#byTgid.get(tgid);
    if (known !== undefined && known.raw === raw) return known;
    const entry = { raw, etag: etagOf(raw), bytes: Buffer.byteLength(raw), problem: validate(raw) };
    if (known === undefined && this.#byTgid.size >= this.#max) {
      this.#byTgid.delete(this.#byTgid.keys().next().value!);
    }
    this.#byTgid.set(tgid, entry);
    return entry;
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
  readonly #memo: RecordMemo;

  constructor(options: RecommendationsServiceOptions) {
    this.#records = options.records;
    this.#stats = options.stats;
    this.#producer = options.producer;
    this.#minOrders = options.minOrders;
    this.#days = options.days;
    this.#memo = new RecordMemo(options.recordMemoSize ?? 10_000);
  }

  read(tgid: number, log: () => Logger): Promise<RecommendationResult> {
    // A plain promise chain, not an async function: this is the hot path, one continuation.
    return this.#records.getRaw(tgid).then(
      (raw) => {
        if (raw === null) return this.#miss(tgid, log);
        const known = this.#memo.lookup(tgid, raw);
        if (known.problem === null) return { kind: 'hit', raw, etag: known.etag, bytes: known.bytes };
        log().warn('corrupt cached record served as a miss', {
          tgid,
          problem: known.problem,
          bytes: known.bytes,
        });
        return this.#miss(tgid, log);
      },
      (err: unknown) => {
        throw new DependencyUnavailableError('redis', err);
      },
    );
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
