import type { Redis } from '@mealwise/redis';
import { type RecommendationRecord, recommendationRecordSchema } from './schema.ts';

export interface RecommendationCacheOptions {
  redis: Redis;
  /** `RECS_CACHE_TTL_SECONDS`. */
  ttlSeconds: number;
  /** Key prefix; DESIGN §5 fixes `recommendations:user:`. */
  keyPrefix?: string;
}

export type CachedRecord =
  | { status: 'hit'; raw: string; record: RecommendationRecord }
  | { status: 'miss' }
  | { status: 'corrupt'; raw: string; error: string };

/** Why a stored value is not a valid record (null when it is). */
function validate(raw: string): { record: RecommendationRecord } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { error: 'not JSON' };
  }
  const result = recommendationRecordSchema.safeParse(parsed);
  return result.success
    ? { record: result.data }
    : { error: result.error.issues[0]?.message ?? 'invalid record' };
}

/**
 * `recommendations:user:{tgid}` → the record JSON (DESIGN §5). The API's hot path reads the raw
 * string and sends it as stored (no parse + re-stringify); everything else reads parsed records.
 */
export class RecommendationCache {
  readonly #redis: Redis;
  readonly #ttl: number;
  readonly #prefix: string;

  constructor(options: RecommendationCacheOptions) {
    this.#redis = options.redis;
    this.#ttl = options.ttlSeconds;
    this.#prefix = options.keyPrefix ?? 'recommendations:user:';
  }

  key(tgid: number): string {
    return `${this.#prefix}${tgid}`;
  }

  /** The stored JSON as is, or null. */
  getRaw(tgid: number): Promise<string | null> {
    return this.#redis.get(this.key(tgid));
  }

  async get(tgid: number): Promise<CachedRecord> {
    const raw = await this.getRaw(tgid);
    if (raw === null) return { status: 'miss' };
    const v = validate(raw);
    return 'record' in v
      ? { status: 'hit', raw, record: v.record }
      : { status: 'corrupt', raw, error: v.error };
  }

  /** Valid records of many users in one round trip (missing or corrupt → absent from the map). */
  async getMany(tgids: readonly number[]): Promise<Map<number, RecommendationRecord>> {
    const out = new Map<number, RecommendationRecord>();
    if (tgids.length === 0) return out;
    const raws = await this.#redis.mget(...tgids.map((t) => this.key(t)));
    raws.forEach((raw, i) => {
      if (raw === null) return;
      const v = validate(raw);
      if ('record' in v) out.set(tgids[i]!, v.record);
    });
    return out;
  }

  /** Validates and stores a record with the cache TTL. */
  async put(tgid: number, record: RecommendationRecord): Promise<string> {
    const raw = JSON.stringify(recommendationRecordSchema.parse(record));
    await this.#redis.set(this.key(tgid), raw, 'EX', this.#ttl);
    return raw;
  }

  /**
   * Keeps the previous record after a failed generation, flagged `stale`, for another TTL — the
   * user sees yesterday's tips rather than nothing. Returns null when there is no valid record.
   */
  async markStale(tgid: number): Promise<RecommendationRecord | null> {
    const current = await this.get(tgid);
    if (current.status !== 'hit') return null;
    const record = { ...current.record, stale: true };
    await this.put(tgid, record);
    return record;
  }

  /** Extends a record's life without rewriting it (a skipped, unchanged user). */
  async touch(tgid: number): Promise<boolean> {
    return (await this.#redis.expire(this.key(tgid), this.#ttl)) === 1;
  }

  /** `touch` for many users in one round trip. */
  async touchMany(tgids: readonly number[]): Promise<void> {
    if (tgids.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const t of tgids) pipeline.expire(this.key(t), this.#ttl);
    await pipeline.exec();
  }
}
