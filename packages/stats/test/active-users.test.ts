import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import fc from 'fast-check';
import { InvalidStatsInputError, StatsService } from '../src/index.ts';
import { DAY_MS, daysBefore, Fixtures } from './fixtures.ts';

const NOW = new Date('2026-04-01T10:00:00.000Z');

async function collect(pages: AsyncIterable<number[]>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('StatsService active users', () => {
  let t: MigratedTestDatabase;
  let f: Fixtures;
  let stats: StatsService;
  let cafe: number;

  /** A user with `n` orders (status, days ago) — activity needs no items. */
  async function userWith(
    tgid: number,
    orders: [status: 'confirmed' | 'created' | 'cancelled', daysAgo: number][],
    isActive = true,
  ) {
    await f.user(tgid, isActive);
    if (orders.length) {
      await t.db
        .insertInto('orders')
        .values(
          orders.map(([status, daysAgo]) => ({
            user_tgid: tgid,
            cafe_id: cafe,
            status,
            created_at: daysBefore(NOW, daysAgo),
          })),
        )
        .execute();
    }
    return tgid;
  }
  const times = (n: number, status: 'confirmed' | 'cancelled' = 'confirmed', daysAgo = 1) =>
    Array.from({ length: n }, () => [status, daysAgo] as ['confirmed' | 'cancelled', number]);

  beforeAll(async () => {
    t = await createMigratedTestDatabase();
    f = new Fixtures(t.db);
    stats = new StatsService(t.db, { clock: () => NOW });
    cafe = await f.cafe('Cafe');
  });
  beforeEach(async () => {
    await f.clearOrders();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('is active with min_orders counted orders in the window; below the threshold, cancelled, old or deactivated is not', async () => {
    const exactly = await userWith(101, times(5));
    const below = await userWith(102, times(4));
    const cancelledMakeUp = await userWith(103, [...times(4), ...times(3, 'cancelled')]);
    const old = await userWith(104, [...times(4), ['confirmed', 31]]);
    const edge = await userWith(105, [...times(4), ['created', 30]]);
    const deactivated = await userWith(106, times(9), false);
    const none = await userWith(107, []);
    const pages = await collect(stats.activeUsers({ minOrders: 5, days: 30 }));
    expect(pages).toEqual([[exactly, edge]]);
    expect(await stats.countActiveUsers({ minOrders: 5, days: 30 })).toBe(2);
    for (const [tgid, active] of [
      [exactly, true],
      [edge, true],
      [below, false],
      [cancelledMakeUp, false],
      [old, false],
      [deactivated, false],
      [none, false],
      [999_999, false],
    ] as const) {
      expect([tgid, await stats.isActiveUser(tgid, { minOrders: 5, days: 30 })]).toEqual([tgid, active]);
    }
    // A wider window and a lower threshold bring users in.
    expect((await collect(stats.activeUsers({ minOrders: 5, days: 31 }))).flat()).toEqual([
      exactly,
      old,
      edge,
    ]);
    expect((await collect(stats.activeUsers({ minOrders: 4 }))).flat()).toEqual([
      exactly,
      below,
      cancelledMakeUp,
      old,
      edge,
    ]);
  });

  it('defaults to 5 orders in 30 days and pages of 1000', async () => {
    const a = await userWith(201, times(5, 'confirmed', 29));
    await userWith(202, times(5, 'confirmed', 31));
    await userWith(203, times(4));
    expect(await collect(stats.activeUsers())).toEqual([[a]]);
    expect(await stats.countActiveUsers()).toBe(1);
    expect(await stats.isActiveUser(a)).toBe(true);
  });

  it('resumes after a cursor, and stops cleanly when the caller breaks early', async () => {
    const ids = [];
    for (const tgid of [5, 9, 12, 40, 41, 2 ** 40]) ids.push(await userWith(tgid, times(1)));
    expect((await collect(stats.activeUsers({ minOrders: 1, after: 12, pageSize: 2 }))).flat()).toEqual([
      40,
      41,
      2 ** 40,
    ]);
    const seen: number[][] = [];
    for await (const page of stats.activeUsers({ minOrders: 1, pageSize: 2 })) {
      seen.push(page);
      break;
    }
    expect(seen).toEqual([[5, 9]]);
  });

  it('keyset pages return every active user exactly once, in order, across page boundaries (property)', async () => {
    const userArb = fc.record({
      recent: fc.nat(7),
      cancelled: fc.nat(3),
      old: fc.nat(3),
      isActive: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 40 }), { maxLength: 40 }),
        fc.array(userArb, { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        async (tgids, shapes, pageSize, minOrders) => {
          await f.clearOrders();
          const expected: number[] = [];
          for (const [i, tgid] of tgids.entries()) {
            const s = shapes[i]!;
            await userWith(
              tgid,
              [
                ...times(s.recent, 'confirmed', 2),
                ...times(s.cancelled, 'cancelled', 2),
                ...times(s.old, 'confirmed', 40),
              ],
              s.isActive,
            );
            if (s.isActive && s.recent >= minOrders) expected.push(tgid);
          }
          expected.sort((a, b) => a - b);
          const pages = await collect(stats.activeUsers({ minOrders, pageSize, days: 30 }));
          for (const page of pages) {
            expect(page.length).toBeGreaterThan(0);
            expect(page.length).toBeLessThanOrEqual(pageSize);
          }
          const flat = pages.flat();
          expect(flat).toEqual(expected);
          expect(pages.length).toBe(Math.ceil(expected.length / pageSize));
          expect(await stats.countActiveUsers({ minOrders, days: 30 })).toBe(expected.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('rejects bad input when called, before iterating or querying', async () => {
    const bad: [Parameters<StatsService['activeUsers']>[0], string][] = [
      [{ minOrders: 0 }, 'minOrders'],
      [{ minOrders: 1.5 }, 'minOrders'],
      [{ days: 0 }, 'days'],
      [{ days: 366 }, 'days'],
      [{ pageSize: 0 }, 'pageSize'],
      [{ pageSize: 10_001 }, 'pageSize'],
      [{ after: -1 }, 'after'],
      [{ after: 2 ** 53 }, 'after'],
    ];
    for (const [query, field] of bad) {
      let error: unknown;
      try {
        stats.activeUsers(query);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidStatsInputError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', field });
    }
    await expect(stats.countActiveUsers({ days: -1 })).rejects.toMatchObject({ field: 'days' });
    await expect(stats.isActiveUser(-5)).rejects.toMatchObject({ field: 'tgid' });
    await expect(stats.isActiveUser(5, { minOrders: 0 })).rejects.toMatchObject({ field: 'minOrders' });
  });

  it('evaluates every page at the instant iteration started', async () => {
    // A clock that jumps 60 days after its first reading: if a later page read it again, its
    // window would hold no orders and the iteration would stop after the first page.
    let readings = 0;
    const jumpy = new StatsService(t.db, {
      clock: () => (readings++ === 0 ? NOW : new Date(NOW.getTime() + 60 * DAY_MS)),
    });
    for (const tgid of [1, 2, 3]) await userWith(tgid, times(1));
    expect((await collect(jumpy.activeUsers({ minOrders: 1, pageSize: 1 }))).flat()).toEqual([1, 2, 3]);
    expect(readings).toBe(1);
  });
});
