import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CATEGORIES, categoryShares } from './shares.ts';

const hundredths = (s: Record<string, number>) => CATEGORIES.map((c) => Math.round(s[c]! * 100));

describe('categoryShares', () => {
  it('gives all four categories 0 when nothing was ordered', () => {
    expect(categoryShares({})).toEqual({ soup: 0, salad: 0, main: 0, extra: 0 });
    expect(categoryShares({ soup: 0, main: 0 })).toEqual({ soup: 0, salad: 0, main: 0, extra: 0 });
  });

  it('rounds thirds to 0.34/0.33/0.33 (sum 1), the first category taking the odd hundredth', () => {
    expect(categoryShares({ soup: 1, salad: 1, main: 1 })).toEqual({
      soup: 0.34,
      salad: 0.33,
      main: 0.33,
      extra: 0,
    });
  });

  it('gives the spare hundredths to the largest remainders', () => {
    // 2/7 = 28.57, 2/7 = 28.57, 3/7 = 42.86 → floors 28 + 28 + 42 = 98; remainders .57 .57 .86.
    expect(categoryShares({ soup: 2, salad: 2, main: 3 })).toEqual({
      soup: 0.29,
      salad: 0.28,
      main: 0.43,
      extra: 0,
    });
  });

  it('keeps exact shares exact', () => {
    expect(categoryShares({ soup: 7, salad: 5, main: 6, extra: 2 })).toEqual({
      soup: 0.35,
      salad: 0.25,
      main: 0.3,
      extra: 0.1,
    });
  });

  it('always sums to exactly 1.00, stays within a hundredth of the exact share, and leaves absent categories at 0', () => {
    fc.assert(
      fc.property(
        fc.record({
          soup: fc.nat(1000),
          salad: fc.nat(1000),
          main: fc.nat(1000),
          extra: fc.nat(1000),
        }),
        (q) => {
          const total = q.soup + q.salad + q.main + q.extra;
          const shares = categoryShares(q);
          if (total === 0) {
            expect(hundredths(shares)).toEqual([0, 0, 0, 0]);
            return;
          }
          expect(hundredths(shares).reduce((a, b) => a + b, 0)).toBe(100);
          for (const c of CATEGORIES) {
            expect(Math.abs(shares[c] - q[c] / total)).toBeLessThan(0.01 + 1e-9);
            if (q[c] === 0) expect(shares[c]).toBe(0);
            // Two decimals: the value is a whole number of hundredths.
            expect(Number(shares[c].toFixed(2))).toBe(shares[c]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
