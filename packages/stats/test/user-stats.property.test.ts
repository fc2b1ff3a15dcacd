import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DishCategory, OrderStatus } from '@mealwise/db';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import fc from 'fast-check';
import { categoryShares, StatsService, type UserStats } from '../src/index.ts';
import { DAY_MS, Fixtures } from './fixtures.ts';

const NOW = new Date('2026-02-03T12:00:00.000Z');
// Lower-case ASCII names of equal length sort the same in every collation, so the model can sort
// them with < and agree with PostgreSQL.
const MENU: [string, DishCategory][] = [
  ['bsoup', 'soup'],
  ['csoup', 'soup'],
  ['asalad', 'salad'],
  ['dsalad', 'salad'],
  ['amain', 'main'],
  ['bmain', 'main'],
  ['cmain', 'main'],
  ['aextra', 'extra'],
];

interface ModelOrder {
  msBefore: number;
  status: OrderStatus;
  items: [dish: number, qty: number][];
}

/** What getUserStats must return, computed independently of SQL. */
function model(
  orders: ModelOrder[],
  days: number,
): Omit<UserStats, 'untried_dishes' | 'total_dishes_available'> {
  const counted = orders.filter(
    (o) => o.status !== 'cancelled' && o.msBefore >= 0 && o.msBefore <= days * DAY_MS,
  );
  const qty = new Map<number, number>();
  for (const o of counted) for (const [d, q] of o.items) qty.set(d, (qty.get(d) ?? 0) + q);
  const perCategory: Partial<Record<DishCategory, number>> = {};
  for (const [d, q] of qty) perCategory[MENU[d]![1]] = (perCategory[MENU[d]![1]] ?? 0) + q;
  const favorites = [...qty]
    .map(([d, count]) => ({ name: MENU[d]![0], count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
    .slice(0, 5);
  return {
    orders_count: counted.length,
    categories: categoryShares(perCategory),
    unique_dishes: qty.size,
    favorite_dishes: favorites,
  };
}

const orderArb: fc.Arbitrary<ModelOrder> = fc.record({
  msBefore: fc.oneof(
    fc.integer({ min: -DAY_MS, max: 45 * DAY_MS }),
    // The window's edges for days = 7 and 30, exactly and a millisecond outside.
    fc.constantFrom(0, -1, 7 * DAY_MS, 7 * DAY_MS + 1, 30 * DAY_MS, 30 * DAY_MS + 1),
  ),
  status: fc.constantFrom<OrderStatus>('confirmed', 'confirmed', 'created', 'cancelled'),
  items: fc.uniqueArray(fc.tuple(fc.nat(MENU.length - 1), fc.integer({ min: 1, max: 3 })), {
    minLength: 1,
    maxLength: 4,
    selector: ([d]) => d,
  }),
});

describe('getUserStats agrees with a reference model (property)', () => {
  let t: MigratedTestDatabase;
  let f: Fixtures;
  let stats: StatsService;
  const dishIds: number[] = [];
  let cafe: number;
  let nextTgid = 10_000;

  beforeAll(async () => {
    t = await createMigratedTestDatabase();
    f = new Fixtures(t.db);
    stats = new StatsService(t.db, { clock: () => NOW, untriedDishes: 50 });
    cafe = await f.cafe('Cafe');
    for (const [name, category] of MENU) dishIds.push(await f.dish(cafe, name, category));
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('for random orders, windows and statuses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(orderArb, { maxLength: 12 }),
        fc.constantFrom(1, 7, 30, 365),
        async (orders, days) => {
          const tgid = await f.user(nextTgid++);
          for (const o of orders) {
            await f.order(
              tgid,
              cafe,
              new Date(NOW.getTime() - o.msBefore),
              o.items.map(([d, q]) => [dishIds[d]!, q]),
              o.status,
            );
          }
          const got = await stats.getUserStats(tgid, { days });
          const { untried_dishes, total_dishes_available, ...rest } = got;
          expect(rest).toEqual(model(orders, days));
          expect(total_dishes_available).toBe(MENU.length);
          // Untried = every menu dish not ordered in the window.
          const tried = new Set(rest.favorite_dishes.map((d) => d.name));
          expect(untried_dishes).toHaveLength(MENU.length - rest.unique_dishes);
          for (const d of untried_dishes) expect(tried.has(d.name)).toBe(false);
          const cents = Object.values(rest.categories).reduce((a, b) => a + Math.round(b * 100), 0);
          expect(cents).toBe(rest.orders_count > 0 ? 100 : 0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
