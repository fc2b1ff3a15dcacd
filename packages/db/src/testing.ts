// Test support (import from '@mealwise/db/testing'): a fresh, migrated database per test file,
// copied from a template that is migrated once per schema version.
import { createTestDatabase, type TestDatabase, versionOf } from '@mealwise/testing';
import { type Kysely, sql } from 'kysely';
import { createDb } from './connection.ts';
import { migrateToLatest, migrations } from './migrator.ts';
import type { Database } from './schema.ts';

export interface MigratedTestDatabase extends TestDatabase {
  db: Kysely<Database>;
  /** Closes the Kysely pool and drops the database. */
  dispose(): Promise<void>;
}

const schemaVersion = versionOf(...Object.entries(migrations).map(([name, m]) => `${name}:${String(m.up)}`));

export async function createMigratedTestDatabase(): Promise<MigratedTestDatabase> {
  const tdb = await createTestDatabase({
    name: 'mealwise_tpl',
    version: schemaVersion,
    prepare: async (url) => {
      const db = createDb({ connectionString: url, max: 1 });
      try {
        await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
    },
  });
  const db = createDb({ connectionString: tdb.url, max: 5 });
  return {
    ...tdb,
    db,
    async dispose() {
      await db.destroy();
      await tdb.drop();
    },
  };
}

/**
 * Deletes the orders within `marginHours` either side of the `days`-day activity edge, so that who
 * is active (DESIGN §4: orders in the last `days` days) cannot change while a test runs. Demo
 * orders cluster at lunch (08:00–12:00 UTC), so between those hours the edge sweeps through them
 * and a user counted active at a test's start can drop out a minute later.
 */
export async function clearActivityEdge(
  db: Kysely<Database>,
  options: { days?: number; marginHours?: number } = {},
): Promise<void> {
  const days = options.days ?? 30;
  const margin = options.marginHours ?? 6;
  // order_items go with their orders (ON DELETE CASCADE).
  await sql`DELETE FROM orders
             WHERE created_at BETWEEN now() - make_interval(days => ${days}::int, hours => ${margin}::int)
                                  AND now() - make_interval(days => ${days}::int) + make_interval(hours => ${margin}::int)`.execute(
    db,
  );
}
