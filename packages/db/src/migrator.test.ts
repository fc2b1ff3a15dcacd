import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { createMigratedTestDatabase, type MigratedTestDatabase } from './testing.ts';

describe('migrations', () => {
  let t: MigratedTestDatabase;
  beforeAll(async () => {
    t = await createMigratedTestDatabase();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('creates every table of DESIGN §4', async () => {
    const rows = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(
      t.db,
    );
    expect(rows.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['cafes', 'dishes', 'order_items', 'orders', 'users']),
    );
  });

  it('rejects a category or status outside the contract', async () => {
    await t.db.insertInto('cafes').values({ name: 'Cafe' }).execute();
    await expect(
      t.db
        .insertInto('dishes')
        .values({ cafe_id: 1, name: 'X', category: 'dessert' as never })
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });

  it('reads bigint ids as numbers', async () => {
    await t.db.insertInto('users').values({ tgid: 7_000_000_001, name: 'A' }).execute();
    const u = await t.db
      .selectFrom('users')
      .selectAll()
      .where('tgid', '=', 7_000_000_001)
      .executeTakeFirstOrThrow();
    expect(u.tgid).toBe(7_000_000_001);
  });
});
