import { type Kysely, sql } from 'kysely';

// DESIGN §4, as the ordering service has it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('tgid', 'bigint', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('cafes')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();

  await db.schema
    .createTable('dishes')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('cafe_id', 'integer', (c) => c.notNull().references('cafes.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) =>
      c.notNull().check(sql`category in ('soup', 'salad', 'main', 'extra')`),
    )
    .addColumn('is_available', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_tgid', 'bigint', (c) => c.notNull().references('users.tgid'))
    .addColumn('cafe_id', 'integer', (c) => c.notNull().references('cafes.id'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('created', 'confirmed', 'cancelled')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('order_items')
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('dish_id', 'integer', (c) => c.notNull().references('dishes.id'))
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['order_items', 'orders', 'dishes', 'cafes', 'users']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
