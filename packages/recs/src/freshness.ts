import type { RecommendationRecord } from './schema.ts';

/**
 * Whether a user's record may be kept instead of regenerated, before looking at the statistics:
 * Gemini's (not rules, not stale), carrying a stats hash, younger than `maxAgeMs` (0 = never skip).
 */
export function isSkipCandidate(
  record: RecommendationRecord | undefined,
  nowMs: number,
  maxAgeMs: number,
): boolean {
  if (!record || maxAgeMs <= 0) return false;
  if (record.source !== 'gemini' || record.stale || !record.stats_hash) return false;
  return nowMs - Date.parse(record.generated_at) < maxAgeMs;
}

/** A skip candidate whose statistics are unchanged: generating again would spend quota for the same answer. */
export function isUnchanged(
  record: RecommendationRecord | undefined,
  currentHash: string,
  nowMs: number,
  maxAgeMs: number,
): boolean {
  return isSkipCandidate(record, nowMs, maxAgeMs) && record?.stats_hash === currentHash;
}
