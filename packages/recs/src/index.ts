export type { CachedRecord, RecommendationCacheOptions } from './cache.ts';
export { RecommendationCache } from './cache.ts';
export { isSkipCandidate, isUnchanged } from './freshness.ts';
export { statsHash } from './hash.ts';
export type { RulesAdvice } from './rules.ts';
export { rulesAdvice } from './rules.ts';
export type { RecommendationMiss, RecommendationRecord, RecordSource } from './schema.ts';
export {
  dishCategorySchema,
  recommendationMissSchema,
  recommendationRecordSchema,
  recordSourceSchema,
  userStatsSchema,
} from './schema.ts';
