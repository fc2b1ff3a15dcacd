import { describe, expect, it } from '@jest/globals';
import { isSkipCandidate, isUnchanged } from './freshness.ts';
import { sampleRecord } from './testing.ts';

const now = Date.parse('2026-11-29T03:00:00Z');
// A day older than `now`, with the hash the unchanged-stats check compares against.
const rec = sampleRecord({ generated_at: '2026-11-28T03:00:00Z', stats_hash: 'h1' });
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
