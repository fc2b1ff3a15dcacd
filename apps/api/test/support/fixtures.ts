import type { Database } from '@mealwise/db';
import type { Kysely } from 'kysely';

/** One active cafe with a dish per category (idempotent per database). */
export async function seedMenu(db: Kysely<Database>): Promise<number[]> {
  const existing = await db.selectFrom('dishes').select('id').orderBy('id').execute();
  if (existing.length) return existing.map((d) => d.id);
  const cafe = await db
    .insertInto('cafes')
    .values({ name: 'Столовая №1' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const dishes = await db
    .insertInto('dishes')
    .values([
      { cafe_id: cafe.id, name: 'Борщ', category: 'soup' },
      { cafe_id: cafe.id, name: 'Салат Греческий', category: 'salad' },
      { cafe_id: cafe.id, name: 'Котлета с пюре', category: 'main' },
      { cafe_id: cafe.id, name: 'Морс', category: 'extra' },
    ])
    .returning('id')
    .execute();
  return dishes.map((d) => d.id);
}

/** A user with `orders` recent confirmed orders (soup + main each). */
export async function seedUser(
  db: Kysely<Database>,
  tgid: number,
  options: { orders: number; isActive?: boolean },
): Promise<void> {
  const [soup, , main] = await seedMenu(db);
  await db
    .insertInto('users')
    .values({ tgid, name: `user ${tgid}`, is_active: options.isActive ?? true })
    .execute();
  const cafe = await db.selectFrom('cafes').select('id').executeTakeFirstOrThrow();
  for (let i = 0; i < options.orders; i++) {
    const order = await db
      .insertInto('orders')
      .values({
        user_tgid: tgid,
        cafe_id: cafe.id,
        status: 'confirmed',
        created_at: new Date(Date.now() - (i + 1) * 86_400_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('order_items')
      .values([
        { order_id: order.id, dish_id: soup!, quantity: 1 },
        { order_id: order.id, dish_id: main!, quantity: 1 },
      ])
      .execute();
  }
}
