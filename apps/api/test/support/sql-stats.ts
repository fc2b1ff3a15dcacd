import type { Database } from '@mealwise/db';
import type { UserStats } from '@mealwise/stats';
import { type Kysely, sql } from 'kysely';
import type { StatsReader } from '../../src/ports.ts';

/**
 * Real PostgreSQL queries for the statistics of DESIGN §4, written here until @mealwise/stats'
 * StatsService is merged (issue-stats). The API only sees the StatsReader interface.
 */
export class SqlStatsReader implements StatsReader {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async getUserStats(tgid: number, window: { days?: number } = {}): Promise<UserStats> {
    const since = sql<Date>`now() - make_interval(days => ${window.days ?? 30})`;
    const orders = await this.#db
      .selectFrom('orders')
      .where('user_tgid', '=', tgid)
      .where('status', '!=', 'cancelled')
      .where('created_at', '>=', since)
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const items = await this.#db
      .selectFrom('order_items as oi')
      .innerJoin('orders as o', 'o.id', 'oi.order_id')
      .innerJoin('dishes as d', 'd.id', 'oi.dish_id')
      .where('o.user_tgid', '=', tgid)
      .where('o.status', '!=', 'cancelled')
      .where('o.created_at', '>=', since)
      .groupBy(['d.id', 'd.name', 'd.category'])
      .select(['d.id', 'd.name', 'd.category', sql<number>`sum(oi.quantity)::int`.as('qty')])
      .execute();
    const available = await this.#db
      .selectFrom('dishes as d')
      .innerJoin('cafes as c', 'c.id', 'd.cafe_id')
      .where('d.is_available', '=', true)
      .where('c.is_active', '=', true)
      .select(['d.id', 'd.name', 'd.category'])
      .orderBy('d.name')
      .execute();
    const total = items.reduce((s, i) => s + i.qty, 0);
    const share = (category: string) =>
      total === 0
        ? 0
        : Math.round(
            (items.filter((i) => i.category === category).reduce((s, i) => s + i.qty, 0) / total) * 100,
          ) / 100;
    const tried = new Set(items.map((i) => i.id));
    return {
      orders_count: orders.n,
      categories: { soup: share('soup'), salad: share('salad'), main: share('main'), extra: share('extra') },
      unique_dishes: items.length,
      total_dishes_available: available.length,
      favorite_dishes: [...items]
        .sort((a, b) => b.qty - a.qty || a.name.localeCompare(b.name))
        .slice(0, 5)
        .map((i) => ({ name: i.name, count: i.qty })),
      untried_dishes: available
        .filter((d) => !tried.has(d.id))
        .slice(0, 5)
        .map((d) => ({ name: d.name, category: d.category })),
    };
  }

  async isActiveUser(tgid: number, query: { minOrders?: number; days?: number } = {}): Promise<boolean> {
    const row = await this.#db
      .selectFrom('users as u')
      .where('u.tgid', '=', tgid)
      .where('u.is_active', '=', true)
      .select(
        sql<number>`(select count(*)::int from orders o where o.user_tgid = u.tgid and o.status <> 'cancelled'
          and o.created_at >= now() - make_interval(days => ${query.days ?? 30}))`.as('n'),
      )
      .executeTakeFirst();
    return row !== undefined && row.n >= (query.minOrders ?? 5);
  }
}
