import { describe, expect, it } from '@jest/globals';
import { pacificDayBounds, pacificDayOf } from './pacific.ts';

const HOUR = 3_600_000;

describe('Pacific quota day', () => {
  it('a winter day runs from 08:00 UTC to 08:00 UTC', () => {
    const b = pacificDayBounds(Date.UTC(2026, 10, 28, 20));
    expect(b).toEqual({
      day: '2026-11-28',
      start: Date.UTC(2026, 10, 28, 8),
      end: Date.UTC(2026, 10, 29, 8),
    });
    expect(pacificDayOf(Date.UTC(2026, 10, 29, 7, 59, 59, 999))).toBe('2026-11-28');
    expect(pacificDayOf(Date.UTC(2026, 10, 29, 8))).toBe('2026-11-29');
  });

  it('the spring-forward day (2026-03-08) lasts 23 hours', () => {
    const b = pacificDayBounds(Date.UTC(2026, 2, 8, 12));
    expect(b.day).toBe('2026-03-08');
    expect(b.start).toBe(Date.UTC(2026, 2, 8, 8));
    expect(b.end).toBe(Date.UTC(2026, 2, 9, 7));
    expect(b.end - b.start).toBe(23 * HOUR);
  });

  it('the fall-back day (2026-11-01) lasts 25 hours', () => {
    const b = pacificDayBounds(Date.UTC(2026, 10, 1, 12));
    expect(b.start).toBe(Date.UTC(2026, 10, 1, 7));
    expect(b.end).toBe(Date.UTC(2026, 10, 2, 8));
    expect(b.end - b.start).toBe(25 * HOUR);
  });

  it('a summer day runs from 07:00 UTC, including across a month end', () => {
    expect(pacificDayBounds(Date.UTC(2026, 6, 31, 23))).toEqual({
      day: '2026-07-31',
      start: Date.UTC(2026, 6, 31, 7),
      end: Date.UTC(2026, 7, 1, 7),
    });
  });
});
