import type { DishCategory } from '@mealwise/db';

/**
 * One user's order statistics over the last `days` days (DESIGN §4; cancelled orders never count).
 * Field names are the seed's: this object is stored as `stats` in the cached record and shown by
 * the API.
 */
export interface UserStats {
  /** Orders (not items) in the window. */
  orders_count: number;
  /** Share of ordered item quantity per category, two decimals; all four keys; all 0 without orders. */
  categories: Record<DishCategory, number>;
  /** Distinct dishes ordered in the window. */
  unique_dishes: number;
  /** Available dishes in active cafes (today's menu size). */
  total_dishes_available: number;
  /** Top 5 by quantity, ties broken by name. */
  favorite_dishes: { name: string; count: number }[];
  /**
   * A few available dishes (active cafes) the user has not ordered in the window, so the prompt
   * can suggest real dishes instead of invented ones.
   */
  untried_dishes: { name: string; category: DishCategory }[];
}

export interface StatsWindow {
  /** Window length in days, 1..365 (default 30). */
  days?: number;
}

export interface ActiveUsersQuery {
  /** At least this many orders in the window (default 5). */
  minOrders?: number;
  /** Window length in days, 1..365 (default 30). */
  days?: number;
  /** tgids per page (default 1000). */
  pageSize?: number;
  /** Resume after this tgid (keyset cursor); pages are in ascending tgid order. */
  after?: number;
}
