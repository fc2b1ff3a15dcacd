import type { Database } from '@mealwise/db';
import type { Kysely } from 'kysely';
import { UserNotFoundError } from './errors.ts';
import {
  selectActiveCount,
  selectActivePage,
  selectIsActive,
  selectNow,
  selectUserStats,
} from './queries.ts';
import { categoryShares } from './shares.ts';
import type { ActiveUsersQuery, StatsWindow, UserStats } from './types.ts';
import { integerIn, validAfter, validDays, validMinOrders, validPageSize, validTgid } from './validate.ts';

export interface StatsServiceOptions {
  /** How many untried dishes getUserStats suggests (0..50, default 6). */
  untriedDishes?: number;
  /**
   * The instant windows end at. Default: the database's now(). Tests pin it; a nightly batch can
   * pass its start time so every user is evaluated over the same window.
   */
  clock?: () => Date;
}

export type ActiveUsersCountQuery = Pick<ActiveUsersQuery, 'minOrders' | 'days'>;

/**
 * Order statistics and active users (DESIGN §4), read from the orders database. Every method
 * validates its input first (InvalidStatsInputError, never a SQL error) and runs one statement.
 */
export class StatsService {
  readonly #db: Kysely<Database>;
  readonly #untried: number;
  readonly #clock: (() => Date) | undefined;

  constructor(db: Kysely<Database>, options: StatsServiceOptions = {}) {
    this.#db = db;
    this.#untried = integerIn('untriedDishes', options.untriedDishes ?? 6, 0, 50);
    this.#clock = options.clock;
  }

  /**
   * One user's statistics over the last `days` days (default 30); one round trip. A user without
   * orders gets zeros and empty lists. Throws UserNotFoundError for a tgid not in `users`.
   */
  async getUserStats(tgid: number, window: StatsWindow = {}): Promise<UserStats> {
    const id = validTgid(tgid);
    const days = validDays(window.days);
    const row = await selectUserStats(this.#db, id, days, this.#now(), this.#untried);
    if (!row?.user_exists) throw new UserNotFoundError(id);
    return {
      orders_count: row.orders_count,
      categories: categoryShares(row.category_quantities),
      unique_dishes: row.unique_dishes,
      total_dishes_available: row.total_dishes_available,
      favorite_dishes: row.favorite_dishes,
      untried_dishes: row.untried_dishes,
    };
  }

  /**
   * Active users — `is_active` and at least `minOrders` counted orders in the last `days` days —
   * as pages of tgids in ascending order (keyset pagination: each page is its own short query, so
   * no transaction or cursor stays open and memory holds one page). Resume with `after`.
   * Bad input throws here, before iteration starts.
   */
  activeUsers(query: ActiveUsersQuery = {}): AsyncGenerator<number[], void, undefined> {
    const minOrders = validMinOrders(query.minOrders);
    const days = validDays(query.days);
    const pageSize = validPageSize(query.pageSize);
    const after = validAfter(query.after);
    return this.#pages(after, minOrders, days, pageSize);
  }

  async *#pages(after: number, minOrders: number, days: number, pageSize: number) {
    // One instant for every page, so a long iteration does not slide its window.
    const at = this.#now() ?? (await selectNow(this.#db));
    let cursor = after;
    for (;;) {
      const page = await selectActivePage(this.#db, cursor, minOrders, days, at, pageSize);
      if (page.length === 0) return;
      yield page;
      if (page.length < pageSize) return;
      cursor = page[page.length - 1]!;
    }
  }

  async countActiveUsers(query: ActiveUsersCountQuery = {}): Promise<number> {
    const minOrders = validMinOrders(query.minOrders);
    const days = validDays(query.days);
    return selectActiveCount(this.#db, minOrders, days, this.#now());
  }

  /** Whether one user is active now (false for an unknown tgid). */
  async isActiveUser(tgid: number, query: ActiveUsersCountQuery = {}): Promise<boolean> {
    const id = validTgid(tgid);
    const minOrders = validMinOrders(query.minOrders);
    const days = validDays(query.days);
    return selectIsActive(this.#db, id, minOrders, days, this.#now());
  }

  #now(): Date | null {
    return this.#clock ? this.#clock() : null;
  }
}
