// Test support (import from '@mealwise/recs/testing'): one sample user and one sample record, so
// tests and benches across the repo share a single fixture instead of near-copies that drift.
// A test that depends on a value says so through `overrides`.
import type { UserStats } from '@mealwise/stats';
import type { RecommendationRecord } from './schema.ts';

/** The seed's example user (18 orders, 8 of 45 dishes, a soup lover), plus untried dishes. */
export function sampleStats(overrides: Partial<UserStats> = {}): UserStats {
  return {
    orders_count: 18,
    categories: { soup: 0.35, salad: 0.15, main: 0.4, extra: 0.1 },
    unique_dishes: 8,
    total_dishes_available: 45,
    favorite_dishes: [
      { name: 'Борщ с курицей', count: 6 },
      { name: 'Салат Цезарь', count: 5 },
      { name: 'Котлета с пюре', count: 4 },
      { name: 'Плов', count: 3 },
      { name: 'Морс', count: 2 },
    ],
    untried_dishes: [
      { name: 'Греческий салат', category: 'salad' },
      { name: 'Оливье', category: 'salad' },
      { name: 'Уха', category: 'soup' },
      { name: 'Рыба на пару', category: 'main' },
      { name: 'Компот', category: 'extra' },
    ],
    ...overrides,
  };
}

/** A valid Gemini record for the sample user, generated at the nightly run of 2026-11-29. */
export function sampleRecord(overrides: Partial<RecommendationRecord> = {}): RecommendationRecord {
  return {
    summary: 'Чаще всего вы выбираете основные блюда (40%) и супы (35%).',
    tips: ['Добавьте к обеду салат.', 'Попробуйте «Греческий салат».'],
    stats: sampleStats(),
    generated_at: '2026-11-29T03:00:00.000Z',
    model: 'gemini-2.5-flash-lite',
    source: 'gemini',
    ...overrides,
  };
}
