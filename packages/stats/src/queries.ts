import type { Database, DishCategory } from '@mealwise/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';

// The SQL of StatsService. The window is [now − days, now], both ends inclusive: an order placed
// exactly `days` days ago counts. `now` is the database's now() unless the service was given a
// clock (tests pin it; a batch can evaluate every user as of one instant). Cancelled orders never
// count. Each query is one statement: one round trip.

/** `now` as SQL: the clock's instant, or the database's transaction time. */
function nowOf(at: Date | null): RawBuilder<Date> {
  return sql<Date>`coalesce(${at}::timestamptz, now())`;
}

/**
 * A user's orders that count, for `o` rows correlated to `tgid` — matches the partial index
 * orders_user_window_idx (user_tgid, created_at) WHERE status <> 'cancelled' exactly.
 */
function countedOrders(tgid: RawBuilder<number> | number, at: Date | null, days: number) {
  return sql`o.user_tgid = ${tgid} AND o.status <> 'cancelled'
    AND o.created_at >= ${nowOf(at)} - make_interval(days => ${days}::int)
    AND o.created_at <= ${nowOf(at)}`;
}

export interface UserStatsRow {
  user_exists: boolean;
  orders_count: number;
  category_quantities: Partial<Record<DishCategory, number>>;
  unique_dishes: number;
  total_dishes_available: number;
  favorite_dishes: { name: string; count: number }[];
  untried_dishes: { name: string; category: DishCategory }[];
}

/**
 * Everything getUserStats needs, in one statement. Dishes are counted by id (a menu item of one
 * cafe); favourites are the top 5 by quantity, ties by name (then id, for determinism).
 *
 * Untried dishes: available dishes of active cafes whose name the user has not ordered in the
 * window. Deterministic per user (ranked by md5(dish id, tgid), so different users get different
 * suggestions) and spread across categories: first one dish of each category, then a second of
 * each, …; within a round, the categories this user eats least come first, so a tip about eating
 * more salad can name a real salad.
 */
export async function selectUserStats(
  db: Kysely<Database>,
  tgid: number,
  days: number,
  at: Date | null,
  untriedLimit: number,
): Promise<UserStatsRow | undefined> {
  const { rows } = await sql<UserStatsRow>`
    WITH user_orders AS (
      SELECT o.id FROM orders o WHERE ${countedOrders(sql`${tgid}::bigint`, at, days)}
    ),
    ordered AS (
      SELECT d.id, d.name, d.category, sum(oi.quantity)::int AS qty
        FROM user_orders uo
        JOIN order_items oi ON oi.order_id = uo.id
        JOIN dishes d ON d.id = oi.dish_id
       GROUP BY d.id
    ),
    by_category AS (
      SELECT category, sum(qty)::int AS qty FROM ordered GROUP BY category
    ),
    menu AS (
      SELECT d.id, d.name, d.category
        FROM dishes d JOIN cafes c ON c.id = d.cafe_id
       WHERE d.is_available AND c.is_active
    ),
    untried AS (
      SELECT m.name, m.category,
             row_number() OVER (PARTITION BY m.category
                                ORDER BY md5(m.id::text || ':' || ${tgid}::bigint::text), m.id) AS round
        FROM menu m
       WHERE NOT EXISTS (SELECT 1 FROM ordered o WHERE o.name = m.name)
    )
    SELECT
      EXISTS (SELECT 1 FROM users WHERE tgid = ${tgid}::bigint) AS user_exists,
      (SELECT count(*)::int FROM user_orders) AS orders_count,
      (SELECT coalesce(json_object_agg(category, qty), '{}'::json) FROM by_category) AS category_quantities,
      (SELECT count(*)::int FROM ordered) AS unique_dishes,
      (SELECT count(*)::int FROM menu) AS total_dishes_available,
      (SELECT coalesce(json_agg(json_build_object('name', f.name, 'count', f.qty)
                                ORDER BY f.qty DESC, f.name, f.id), '[]'::json)
         FROM (SELECT id, name, qty FROM ordered ORDER BY qty DESC, name, id LIMIT 5) f) AS favorite_dishes,
      (SELECT coalesce(json_agg(json_build_object('name', t.name, 'category', t.category)
                                ORDER BY t.round, t.eaten, t.category), '[]'::json)
         FROM (SELECT u.name, u.category, u.round, coalesce(bc.qty, 0) AS eaten
                 FROM untried u LEFT JOIN by_category bc USING (category)
                ORDER BY u.round, eaten, u.category
                LIMIT ${untriedLimit}::int) t) AS untried_dishes
  `.execute(db);
  return rows[0];
}

/**
 * One page of active users after the keyset cursor, ascending. Walks users by primary key and
 * probes each user's counted orders with LIMIT min_orders (an index-only scan that stops as soon
 * as the threshold is reached), so a page costs about `pageSize / share of active users` probes
 * whatever the table size, and no cursor stays open between pages.
 */
export async function selectActivePage(
  db: Kysely<Database>,
  after: number,
  minOrders: number,
  days: number,
  at: Date | null,
  pageSize: number,
): Promise<number[]> {
  const { rows } = await sql<{ tgid: number | string }>`
    SELECT u.tgid FROM users u
     WHERE u.is_active AND u.tgid > ${after}::bigint
       AND (SELECT count(*) FROM (SELECT 1 FROM orders o WHERE ${countedOrders(sql`u.tgid`, at, days)}
                                   LIMIT ${minOrders}::int) enough) >= ${minOrders}::int
     ORDER BY u.tgid
     LIMIT ${pageSize}::int`.execute(db);
  return rows.map((r) => Number(r.tgid));
}

export async function selectActiveCount(
  db: Kysely<Database>,
  minOrders: number,
  days: number,
  at: Date | null,
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM users u
     WHERE u.is_active
       AND (SELECT count(*) FROM (SELECT 1 FROM orders o WHERE ${countedOrders(sql`u.tgid`, at, days)}
                                   LIMIT ${minOrders}::int) enough) >= ${minOrders}::int`.execute(db);
  return rows[0]?.n ?? 0;
}

export async function selectIsActive(
  db: Kysely<Database>,
  tgid: number,
  minOrders: number,
  days: number,
  at: Date | null,
): Promise<boolean> {
  const { rows } = await sql<{ active: boolean }>`
    SELECT u.is_active
           AND (SELECT count(*) FROM (SELECT 1 FROM orders o WHERE ${countedOrders(sql`u.tgid`, at, days)}
                                       LIMIT ${minOrders}::int) enough) >= ${minOrders}::int AS active
      FROM users u WHERE u.tgid = ${tgid}::bigint`.execute(db);
  return rows[0]?.active ?? false;
}

export async function selectNow(db: Kysely<Database>): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(db);
  return rows[0]!.now;
}
