import type { UserStats } from '@mealwise/stats';

/** The seed's example user, plus untried dishes. */
export const sampleStats = (overrides: Partial<UserStats> = {}): UserStats => ({
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
});
