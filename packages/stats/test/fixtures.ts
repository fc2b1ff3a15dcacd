import type { Database, DishCategory, OrderStatus } from '@mealwise/db';
import type { Kysely } from 'kysely';

/** Small builders for hand-made orders data (each test file has its own database). */
export class Fixtures {
  readonly db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async cafe(name: string, isActive = true): Promise<number> {
    const r = await this.db
      .insertInto('cafes')
      .values({ name, is_active: isActive })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async dish(cafeId: number, name: string, category: DishCategory, isAvailable = true): Promise<number> {
    const r = await this.db
      .insertInto('dishes')
      .values({ cafe_id: cafeId, name, category, is_available: isAvailable })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async user(tgid: number, isActive = true): Promise<number> {
    await this.db
      .insertInto('users')
      .values({ tgid, name: `user ${tgid}`, is_active: isActive })
      .execute();
    return tgid;
  }

  async order(
    tgid: number,
    cafeId: number,
    at: Date,
    items: [dishId: number, quantity: number][],
    status: OrderStatus = 'confirmed',
  ): Promise<number> {
    const { id } = await this.db
      .insertInto('orders')
      .values({ user_tgid: tgid, cafe_id: cafeId, status, created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (items.length) {
      await this.db
        .insertInto('order_items')
        .values(items.map(([dish_id, quantity]) => ({ order_id: id, dish_id, quantity })))
        .execute();
    }
    return id;
  }

  /** Removes every user and order (menus stay), for property-test runs. */
  async clearOrders(): Promise<void> {
    await this.db.deleteFrom('order_items').execute();
    await this.db.deleteFrom('orders').execute();
    await this.db.deleteFrom('users').execute();
  }
}

export const DAY_MS = 86_400_000;
export const daysBefore = (now: Date, days: number, extraMs = 0): Date =>
  new Date(now.getTime() - days * DAY_MS - extraMs);
