import { describe, expect, it } from '@jest/globals';
import { isSkipCandidate, isUnchanged } from './freshness.ts';
import type { RecommendationRecord } from './schema.ts';

const now = Date.parse('2026-11-29T03:00:00Z');
const rec: RecommendationRecord = {
  summary: 's',
  tips: ['a', 'b'],
  stats: {
    orders_count: 1,
    categories: { soup: 1, salad: 0, main: 0, extra: 0 },
    unique_dishes: 1,
    total_dishes_available: 3,
    favorite_dishes: [],
    untried_dishes: [],
  },
  generated_at: '2026-11-28T03:00:00Z',
  model: 'm',
  source: 'gemini',
  stats_hash: 'h1',
};
const day = 86_400_000;

describe('skip rules', () => {
  it('keeps a fresh Gemini record whose stats did not change', () => {
    expect(isUnchanged(rec, 'h1', now, 3 * day)).toBe(true);
    expect(isUnchanged(rec, 'h2', now, 3 * day)).toBe(false);
  });

  it('never skips rules or stale records, old records, records without a hash, or when disabled', () => {
    expect(isSkipCandidate({ ...rec, source: 'rules', model: null }, now, 3 * day)).toBe(false);
    expect(isSkipCandidate({ ...rec, stale: true }, now, 3 * day)).toBe(false);
    expect(isSkipCandidate(rec, now, day)).toBe(false);
    expect(isSkipCandidate({ ...rec, stats_hash: undefined }, now, 3 * day)).toBe(false);
    expect(isSkipCandidate(rec, now, 0)).toBe(false);
    expect(isSkipCandidate(undefined, now, 3 * day)).toBe(false);
  });
});
