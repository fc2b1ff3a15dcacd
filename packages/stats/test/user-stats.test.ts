import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DishCategory } from '@mealwise/db';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { InvalidStatsInputError, StatsService, UserNotFoundError } from '../src/index.ts';
import { daysBefore, Fixtures } from './fixtures.ts';

const NOW = new Date('2026-05-20T09:15:00.000Z');

describe('StatsService.getUserStats', () => {
  let t: MigratedTestDatabase;
  let f: Fixtures;
  let stats: StatsService;
  let cafe: number;
  let closedCafe: number;
  const dish = new Map<string, number>();
  const d = (name: string): number => dish.get(name) ?? Number.NaN;
  let nextTgid = 1_000;

  const newUser = (isActive = true) => f.user(nextTgid++, isActive);

  beforeAll(async () => {
    t = await createMigratedTestDatabase();
    f = new Fixtures(t.db);
    stats = new StatsService(t.db, { clock: () => NOW });
    cafe = await f.cafe('Столовая');
    closedCafe = await f.cafe('Закрытое кафе', false);
    const menu: [string, DishCategory, boolean?][] = [
      ['Борщ', 'soup'],
      ['Солянка', 'soup'],
      ['Щи', 'soup', false],
      ['Цезарь', 'salad'],
      ['Греческий', 'salad'],
      ['Оливье', 'salad'],
      ['Котлета с пюре', 'main'],
      ['Плов', 'main'],
      ['Гречка с грибами', 'main'],
      ['Морс', 'extra'],
      ['Компот', 'extra'],
    ];
    for (const [name, category, available] of menu)
      dish.set(name, await f.dish(cafe, name, category, available ?? true));
    dish.set('Пельмени', await f.dish(closedCafe, 'Пельмени', 'main'));
    dish.set('Квас', await f.dish(closedCafe, 'Квас', 'extra'));
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('gives a user without orders zeros and empty lists, never NaN', async () => {
    const tgid = await newUser();
    const s = await stats.getUserStats(tgid);
    expect(s).toEqual({
      orders_count: 0,
      categories: { soup: 0, salad: 0, main: 0, extra: 0 },
      unique_dishes: 0,
      // 10 available dishes in the open cafe; Щи is off the menu, the closed cafe's dishes never count.
      total_dishes_available: 10,
      favorite_dishes: [],
      untried_dishes: expect.any(Array),
    });
    expect(s.untried_dishes).toHaveLength(6);
    expect(JSON.stringify(s)).not.toMatch(/NaN|null/);
  });

  it('throws UserNotFoundError for a tgid that is not a user', async () => {
    await expect(stats.getUserStats(987_654_321)).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(stats.getUserStats(987_654_321)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('never counts cancelled orders', async () => {
    const tgid = await newUser();
    await f.order(tgid, cafe, daysBefore(NOW, 1), [
      [d('Борщ'), 1],
      [d('Плов'), 1],
    ]);
    await f.order(
      tgid,
      cafe,
      daysBefore(NOW, 2),
      [
        [d('Цезарь'), 5],
        [d('Плов'), 3],
      ],
      'cancelled',
    );
    await f.order(tgid, cafe, daysBefore(NOW, 3), [[d('Морс'), 1]], 'created');
    const s = await stats.getUserStats(tgid);
    expect(s.orders_count).toBe(2);
    expect(s.unique_dishes).toBe(3);
    expect(s.categories).toEqual({ soup: 0.34, salad: 0, main: 0.33, extra: 0.33 });
    expect(s.favorite_dishes).toEqual([
      { name: 'Борщ', count: 1 },
      { name: 'Морс', count: 1 },
      { name: 'Плов', count: 1 },
    ]);
    expect(s.untried_dishes.map((d) => d.name)).toContain('Цезарь');
  });

  it('counts an order placed exactly `days` ago and at now, but not a millisecond outside either end', async () => {
    const tgid = await newUser();
    await f.order(tgid, cafe, daysBefore(NOW, 30), [[d('Борщ'), 1]]);
    await f.order(tgid, cafe, daysBefore(NOW, 30, 1), [[d('Солянка'), 1]]);
    await f.order(tgid, cafe, NOW, [[d('Плов'), 1]]);
    await f.order(tgid, cafe, new Date(NOW.getTime() + 1), [[d('Цезарь'), 1]]);
    const s = await stats.getUserStats(tgid, { days: 30 });
    expect(s.orders_count).toBe(2);
    expect(s.favorite_dishes.map((d) => d.name).sort()).toEqual(['Борщ', 'Плов']);

    const week = await stats.getUserStats(tgid, { days: 7 });
    expect(week.orders_count).toBe(1);
    expect(week.favorite_dishes).toEqual([{ name: 'Плов', count: 1 }]);
    const year = await stats.getUserStats(tgid, { days: 365 });
    expect(year.orders_count).toBe(3);
  });

  it('defaults the window to 30 days', async () => {
    const tgid = await newUser();
    await f.order(tgid, cafe, daysBefore(NOW, 29), [[d('Борщ'), 1]]);
    await f.order(tgid, cafe, daysBefore(NOW, 31), [[d('Борщ'), 1]]);
    expect((await stats.getUserStats(tgid)).orders_count).toBe(1);
  });

  it('uses the database clock when no clock is given', async () => {
    const live = new StatsService(t.db);
    const tgid = await newUser();
    await f.order(tgid, cafe, new Date(Date.now() - 60_000), [[d('Борщ'), 1]]);
    await f.order(tgid, cafe, new Date(Date.now() - 40 * 86_400_000), [[d('Борщ'), 1]]);
    expect((await live.getUserStats(tgid)).orders_count).toBe(1);
  });

  it('ranks favourites by quantity, top 5, ties by name', async () => {
    const tgid = await newUser();
    await f.order(tgid, cafe, daysBefore(NOW, 1), [
      [d('Плов'), 3],
      [d('Морс'), 2],
      [d('Компот'), 2],
      [d('Борщ'), 1],
    ]);
    await f.order(tgid, cafe, daysBefore(NOW, 2), [
      [d('Цезарь'), 1],
      [d('Греческий'), 1],
      [d('Оливье'), 1],
      [d('Борщ'), 1],
    ]);
    const s = await stats.getUserStats(tgid);
    expect(s.favorite_dishes).toEqual([
      { name: 'Плов', count: 3 },
      { name: 'Борщ', count: 2 },
      { name: 'Компот', count: 2 },
      { name: 'Морс', count: 2 },
      { name: 'Греческий', count: 1 },
    ]);
    expect(s.unique_dishes).toBe(7);
    expect(s.orders_count).toBe(2);
  });

  it('shares are of item quantity, two decimals, summing to exactly 1', async () => {
    const tgid = await newUser();
    await f.order(tgid, cafe, daysBefore(NOW, 1), [
      [d('Борщ'), 2],
      [d('Цезарь'), 2],
      [d('Плов'), 3],
    ]);
    const s = await stats.getUserStats(tgid);
    expect(s.categories).toEqual({ soup: 0.29, salad: 0.28, main: 0.43, extra: 0 });
    const cents = Object.values(s.categories).reduce((a, b) => a + Math.round(b * 100), 0);
    expect(cents).toBe(100);
  });

  it('keeps history from closed cafes and removed dishes, but never offers them as available or untried', async () => {
    const tgid = await newUser();
    await f.order(tgid, closedCafe, daysBefore(NOW, 5), [
      [d('Пельмени'), 2],
      [d('Квас'), 1],
    ]);
    await f.order(tgid, cafe, daysBefore(NOW, 4), [[d('Щи'), 1]]);
    const s = await stats.getUserStats(tgid);
    expect(s.favorite_dishes).toEqual([
      { name: 'Пельмени', count: 2 },
      { name: 'Квас', count: 1 },
      { name: 'Щи', count: 1 },
    ]);
    expect(s.total_dishes_available).toBe(10);
    const all = await new StatsService(t.db, { clock: () => NOW, untriedDishes: 50 }).getUserStats(tgid);
    expect(all.untried_dishes).toHaveLength(10);
    expect(all.untried_dishes.map((d) => d.name)).not.toEqual(expect.arrayContaining(['Щи']));
    expect(all.untried_dishes.map((d) => d.name)).not.toEqual(expect.arrayContaining(['Пельмени']));
    expect(all.untried_dishes.map((d) => d.name)).not.toEqual(expect.arrayContaining(['Квас']));
  });

  it('suggests untried dishes spread over categories, least-eaten category first, the same every time', async () => {
    const tgid = await newUser();
    // Eats mains (3) and soup (1); never salad or extra.
    await f.order(tgid, cafe, daysBefore(NOW, 1), [
      [d('Плов'), 3],
      [d('Борщ'), 1],
    ]);
    const s = await stats.getUserStats(tgid);
    const names = s.untried_dishes.map((d) => d.name);
    expect(names).toHaveLength(6);
    expect(names).not.toContain('Плов');
    expect(names).not.toContain('Борщ');
    // Round one: one dish per category, categories the user eats least first (extra and salad at 0,
    // then soup, then main); round two starts over in the same order.
    expect(s.untried_dishes.slice(0, 4).map((d) => d.category)).toEqual(['extra', 'salad', 'soup', 'main']);
    expect(s.untried_dishes.slice(4).map((d) => d.category)).toEqual(['extra', 'salad']);
    expect(await stats.getUserStats(tgid)).toEqual(s);
    const limited = await new StatsService(t.db, { clock: () => NOW, untriedDishes: 2 }).getUserStats(tgid);
    expect(limited.untried_dishes).toEqual(s.untried_dishes.slice(0, 2));
    const none = await new StatsService(t.db, { clock: () => NOW, untriedDishes: 0 }).getUserStats(tgid);
    expect(none.untried_dishes).toEqual([]);
  });

  it('rejects bad input with InvalidStatsInputError naming the field, before any SQL', async () => {
    const cases: [unknown, unknown, string][] = [
      [1.5, undefined, 'tgid'],
      [-1, undefined, 'tgid'],
      [0, undefined, 'tgid'],
      [2 ** 53, undefined, 'tgid'],
      [Number.NaN, undefined, 'tgid'],
      ['42', undefined, 'tgid'],
      [1000, 0, 'days'],
      [1000, -3, 'days'],
      [1000, 366, 'days'],
      [1000, 2.5, 'days'],
      [1000, Number.POSITIVE_INFINITY, 'days'],
    ];
    for (const [tgid, days, field] of cases) {
      const call = stats.getUserStats(tgid as number, { days: days as number });
      await expect(call).rejects.toBeInstanceOf(InvalidStatsInputError);
      await expect(call).rejects.toMatchObject({ code: 'INVALID_INPUT', field });
    }
    expect(() => new StatsService(t.db, { untriedDishes: -1 })).toThrow(InvalidStatsInputError);
  });
});
