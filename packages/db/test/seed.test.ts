import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { SeedTargetNotEmptyError, seedDemoData } from '../src/seed/index.ts';
import type { SeedProgress, SeedSummary } from '../src/seed/seed.ts';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../src/testing.ts';

const NOW = new Date('2026-03-18T10:30:00.000Z');
const DAY = 86_400_000;
const OPTIONS = { users: 400, seed: 7, now: NOW };

/** md5 of every table's rows in a fixed order: equal fingerprints mean equal data. */
async function fingerprint(t: MigratedTestDatabase): Promise<Record<string, string>> {
  const { rows } = await sql<Record<string, string>>`
    SELECT
      (SELECT md5(string_agg(u::text, '|' ORDER BY tgid)) FROM users u) AS users,
      (SELECT md5(string_agg(c::text, '|' ORDER BY id)) FROM cafes c) AS cafes,
      (SELECT md5(string_agg(d::text, '|' ORDER BY id)) FROM dishes d) AS dishes,
      (SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM orders o) AS orders,
      (SELECT md5(string_agg(i::text, '|' ORDER BY order_id, dish_id)) FROM order_items i) AS items`.execute(
    t.db,
  );
  return rows[0]!;
}

describe('seedDemoData', () => {
  let a: MigratedTestDatabase;
  let b: MigratedTestDatabase;
  let summary: SeedSummary;
  const progress: SeedProgress[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([createMigratedTestDatabase(), createMigratedTestDatabase()]);
    summary = await seedDemoData(a.url, { ...OPTIONS, onProgress: (p) => progress.push(p) });
  });
  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
  });

  it('loads users, a Russian menu, orders and items through COPY and reports the counts', async () => {
    const { rows } = await sql<{ users: number; orders: number; items: number; cancelled: number }>`
      SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM orders) AS orders,
             (SELECT count(*)::int FROM order_items) AS items,
             (SELECT count(*)::int FROM orders WHERE status = 'cancelled') AS cancelled`.execute(a.db);
    expect(rows[0]).toEqual({
      users: 400,
      orders: summary.orders,
      items: summary.orderItems,
      cancelled: summary.cancelledOrders,
    });
    expect(summary).toMatchObject({ users: 400, seed: 7, now: NOW.toISOString(), cafes: 6 });
    // ~13 orders and ~25 items per user on average.
    expect(summary.orders).toBeGreaterThan(400 * 8);
    expect(summary.orderItems).toBeGreaterThan(summary.orders);
    const names = (await a.db.selectFrom('dishes').select('name').execute()).map((d) => d.name);
    expect(names.length).toBeGreaterThanOrEqual(60);
    expect(names.length).toBeLessThanOrEqual(120);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['Борщ с курицей', 'Солянка мясная сборная', 'Оливье', 'Плов с бараниной']),
    );
    const categories = await sql<{ category: string; n: number }>`
      SELECT category, count(*)::int AS n FROM dishes GROUP BY category ORDER BY category`.execute(a.db);
    expect(categories.rows.map((r) => r.category)).toEqual(['extra', 'main', 'salad', 'soup']);
  });

  it('is deterministic: the same seed and now give identical rows, another seed does not', async () => {
    await seedDemoData(b.url, OPTIONS);
    const [fa, fb] = await Promise.all([fingerprint(a), fingerprint(b)]);
    expect(fb).toEqual(fa);
    await seedDemoData(b.url, { ...OPTIONS, seed: 8, truncate: true });
    const fc = await fingerprint(b);
    expect(fc.orders).not.toBe(fa.orders);
    expect(fc.users).not.toBe(fa.users);
  });

  it("puts every item of an order on the menu of the order's cafe", async () => {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM order_items i JOIN orders o ON o.id = i.order_id
        JOIN dishes d ON d.id = i.dish_id WHERE d.cafe_id <> o.cafe_id`.execute(a.db);
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses a database that already has data, and replaces it with truncate', async () => {
    await expect(seedDemoData(a.url, OPTIONS)).rejects.toBeInstanceOf(SeedTargetNotEmptyError);
    const before = await fingerprint(a);
    const again = await seedDemoData(a.url, { ...OPTIONS, truncate: true });
    expect(again.orders).toBe(summary.orders);
    expect(await fingerprint(a)).toEqual(before);
  });

  it('puts back foreign keys and indexes, and moves the id sequences past the loaded rows', async () => {
    const constraints = await sql<{ conname: string }>`
      SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY conname`.execute(a.db);
    expect(constraints.rows.map((r) => r.conname)).toEqual([
      'dishes_cafe_id_fkey',
      'order_items_dish_id_fkey',
      'order_items_order_id_fkey',
      'orders_cafe_id_fkey',
      'orders_user_tgid_fkey',
    ]);
    const indexes = await sql<{ indexname: string }>`
      SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`.execute(a.db);
    expect(indexes.rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(['order_items_order_id_idx', 'orders_user_window_idx']),
    );
    const user = await a.db.selectFrom('users').select('tgid').limit(1).executeTakeFirstOrThrow();
    const inserted = await a.db
      .insertInto('orders')
      .values({ user_tgid: user.tgid, cafe_id: 1, status: 'created', created_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(inserted.id).toBe(summary.orders + 1);
    await a.db.deleteFrom('orders').where('id', '=', inserted.id).execute();
  });

  it('reports progress from 0 to 1 through every phase', () => {
    expect(progress.length).toBeGreaterThan(10);
    expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(['users', 'orders', 'items', 'finish']));
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    expect(fractions.at(-1)).toBe(1);
    expect(progress.at(-1)).toMatchObject({
      users: 400,
      orders: summary.orders,
      orderItems: summary.orderItems,
    });
  });

  it('keeps every order inside the 60 days before now, and orders of closed cafes and removed dishes old', async () => {
    const { rows } = await sql<{
      oldest: Date;
      newest: Date;
      closed_newest: Date | null;
      removed_newest: Date | null;
    }>`
      SELECT min(o.created_at) AS oldest, max(o.created_at) AS newest,
             max(o.created_at) FILTER (WHERE NOT c.is_active) AS closed_newest,
             (SELECT max(o2.created_at) FROM orders o2 JOIN order_items i ON i.order_id = o2.id
                JOIN dishes d ON d.id = i.dish_id WHERE NOT d.is_available) AS removed_newest
        FROM orders o JOIN cafes c ON c.id = o.cafe_id`.execute(a.db);
    const r = rows[0]!;
    expect(r.oldest.getTime()).toBeGreaterThanOrEqual(NOW.getTime() - 60 * DAY);
    expect(r.newest.getTime()).toBeLessThanOrEqual(NOW.getTime());
    expect(r.closed_newest).not.toBeNull();
    expect(r.closed_newest!.getTime()).toBeLessThan(NOW.getTime() - 29 * DAY);
    expect(r.removed_newest).not.toBeNull();
    expect(r.removed_newest!.getTime()).toBeLessThan(NOW.getTime() - 19 * DAY);
    const cafes = await a.db.selectFrom('cafes').select(['is_active']).execute();
    expect(cafes.filter((c) => !c.is_active)).toHaveLength(1);
  });

  it('mixes habits: loyal, varied, light, lapsed, deactivated, cancelling and order-less users', async () => {
    const { rows } = await sql<Record<string, number>>`
      WITH per_user AS (
        SELECT u.tgid, u.is_active,
               count(o.id) AS orders_60,
               count(o.id) FILTER (WHERE o.status <> 'cancelled' AND o.created_at >= ${NOW}::timestamptz - interval '30 days') AS orders_30,
               count(o.id) FILTER (WHERE o.status = 'cancelled') AS cancelled
          FROM users u LEFT JOIN orders o ON o.user_tgid = u.tgid
         GROUP BY u.tgid),
      dish_use AS (
        SELECT o.user_tgid, i.dish_id, sum(i.quantity) AS qty,
               row_number() OVER (PARTITION BY o.user_tgid ORDER BY sum(i.quantity) DESC) AS rank
          FROM orders o JOIN order_items i ON i.order_id = o.id
         WHERE o.status <> 'cancelled' GROUP BY o.user_tgid, i.dish_id),
      shape AS (
        SELECT user_tgid, count(*) AS distinct_dishes,
               sum(qty) FILTER (WHERE rank <= 3)::float / sum(qty) AS top3_share, sum(qty) AS qty
          FROM dish_use GROUP BY user_tgid)
      SELECT
        count(*) FILTER (WHERE orders_60 = 0)::int AS no_orders,
        count(*) FILTER (WHERE NOT is_active AND orders_30 >= 5)::int AS deactivated_but_busy,
        count(*) FILTER (WHERE is_active AND orders_30 >= 5)::int AS active,
        count(*) FILTER (WHERE is_active AND orders_30 BETWEEN 1 AND 4)::int AS below_threshold,
        count(*) FILTER (WHERE orders_60 > 0 AND orders_30 = 0)::int AS lapsed,
        count(*) FILTER (WHERE cancelled * 4 >= orders_60 AND orders_60 >= 5)::int AS heavy_cancellers,
        (SELECT count(*) FROM shape WHERE qty >= 15 AND top3_share >= 0.85)::int AS loyal,
        (SELECT count(*) FROM shape WHERE distinct_dishes >= 12)::int AS varied
      FROM per_user`.execute(a.db);
    const mix = rows[0]!;
    for (const [habit, n] of Object.entries(mix)) {
      expect([habit, n]).toEqual([habit, expect.any(Number)]);
      expect([habit, n >= 10]).toEqual([habit, true]);
    }
    expect(mix.active! / 400).toBeGreaterThan(0.35);
    expect(mix.active! / 400).toBeLessThan(0.75);
  });
});
