// Test support (import from '@mealwise/db/testing'): a fresh, migrated database per test file,
// copied from a template that is migrated once per schema version.
import { createTestDatabase, type TestDatabase, versionOf } from '@mealwise/testing';
import type { Kysely } from 'kysely';
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
