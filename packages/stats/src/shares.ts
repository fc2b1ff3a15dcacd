import type { DishCategory } from '@mealwise/db';

export const CATEGORIES: readonly DishCategory[] = ['soup', 'salad', 'main', 'extra'];

/**
 * Each category's share of the ordered quantity, rounded to two decimals by the largest-remainder
 * method so that the shares of a user with orders add up to exactly 1.00 (plain rounding of
 * 1/3, 1/3, 1/3 gives 0.99). Hundredths go to the largest remainders; equal remainders go in
 * CATEGORIES order, so the result is deterministic. No quantity at all → every share 0, never NaN.
 */
export function categoryShares(
  quantities: Partial<Record<DishCategory, number>>,
): Record<DishCategory, number> {
  const qty = CATEGORIES.map((c) => Math.max(0, quantities[c] ?? 0));
  const total = qty.reduce((a, b) => a + b, 0);
  const shares = { soup: 0, salad: 0, main: 0, extra: 0 } satisfies Record<DishCategory, number>;
  if (total === 0) return shares;
  const exact = qty.map((q) => (q * 100) / total);
  const hundredths = exact.map(Math.floor);
  let left = 100 - hundredths.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((e, i) => ({ i, remainder: e - Math.floor(e) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    hundredths[i]!++;
    left--;
  }
  CATEGORIES.forEach((c, i) => {
    shares[c] = hundredths[i]! / 100;
  });
  return shares;
}
