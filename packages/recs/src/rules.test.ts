import { describe, expect, it } from '@jest/globals';
import type { UserStats } from '@mealwise/stats';
import fc from 'fast-check';
import { statsHash } from './hash.ts';
import { rulesAdvice } from './rules.ts';
import { userStatsSchema } from './schema.ts';
import { sampleStats } from './testing.ts';

// Few salads and few distinct dishes for 18 orders: the case where every rule has a tip to give.
const base = sampleStats({
  categories: { soup: 0.35, salad: 0.05, main: 0.5, extra: 0.1 },
  unique_dishes: 4,
});

const statsArb: fc.Arbitrary<UserStats> = fc
  .record({
    orders_count: fc.nat({ max: 200 }),
    weights: fc.tuple(fc.nat(100), fc.nat(100), fc.nat(100), fc.nat(100)),
    unique_dishes: fc.nat({ max: 100 }),
    total_dishes_available: fc.nat({ max: 200 }),
    favorite_dishes: fc.array(fc.record({ name: fc.string({ minLength: 1 }), count: fc.nat(50) }), {
      maxLength: 5,
    }),
    untried_dishes: fc.array(
      fc.record({
        name: fc.string({ minLength: 1 }),
        category: fc.constantFrom('soup' as const, 'salad' as const, 'main' as const, 'extra' as const),
      }),
      { maxLength: 6 },
    ),
  })
  .map(({ weights, ...s }) => {
    const sum = weights.reduce((a, b) => a + b, 0);
    const share = (w: number) => (s.orders_count === 0 || sum === 0 ? 0 : Math.round((w / sum) * 100) / 100);
    return {
      ...s,
      categories: {
        soup: share(weights[0]),
        salad: share(weights[1]),
        main: share(weights[2]),
        extra: share(weights[3]),
      },
    };
  });

describe('rulesAdvice', () => {
  it('suggests a real untried salad when salads are missing and names the favourite', () => {
    const advice = rulesAdvice(base);
    expect(advice.summary).toBe(
      'Чаще всего вы выбираете основные блюда (50%): 18 заказов и 4 разных блюда из 45 за 30 дней.',
    );
    expect(advice.tips).toEqual([
      'Добавьте к обеду салат — овощи сбалансируют рацион; например, «Греческий салат».',
      'Вы часто берёте одно и то же (чаще всего «Борщ с курицей») — раз в неделю выбирайте новое блюдо.',
      // The next untried dish, not the salad the first tip already named.
      'Попробуйте «Оливье» — вы его ещё не заказывали.',
    ]);
  });

  it('handles a user without orders', () => {
    const advice = rulesAdvice({
      ...base,
      orders_count: 0,
      categories: { soup: 0, salad: 0, main: 0, extra: 0 },
      unique_dishes: 0,
      favorite_dishes: [],
    });
    expect(advice.summary).toBe('За последние 30 дней заказов не было.');
    expect(advice.tips).toHaveLength(2);
  });

  it('always gives a summary and 2–3 distinct, non-empty tips, deterministically', () => {
    fc.assert(
      fc.property(statsArb, (stats) => {
        userStatsSchema.parse(stats);
        const a = rulesAdvice(stats);
        expect(a.summary.length).toBeGreaterThan(10);
        expect(a.tips.length).toBeGreaterThanOrEqual(2);
        expect(a.tips.length).toBeLessThanOrEqual(3);
        expect(new Set(a.tips).size).toBe(a.tips.length);
        for (const t of a.tips) expect(t.trim().length).toBeGreaterThan(0);
        expect(rulesAdvice(stats)).toEqual(a);
      }),
    );
  });
});

describe('statsHash', () => {
  it('ignores key order and changes with any value', () => {
    const reordered = JSON.parse(
      JSON.stringify({ ...base, categories: { extra: 0.1, main: 0.5, salad: 0.05, soup: 0.35 } }),
    );
    expect(statsHash(reordered)).toBe(statsHash(base));
    expect(statsHash({ ...base, orders_count: 19 })).not.toBe(statsHash(base));
    expect(statsHash(base)).toMatch(/^[0-9a-f]{16}$/);
  });
});
