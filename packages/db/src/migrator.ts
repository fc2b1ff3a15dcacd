import type { Kysely } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import * as m0001 from './migrations/0001_orders_schema.ts';
import * as m0002 from './migrations/0002_stats_indexes.ts';
import type { Database } from './schema.ts';

// Listed explicitly (not read from a folder) so migrations work the same from source, from dist
// and inside a bundled container image.
export const migrations: Record<string, Migration> = {
  '0001_orders_schema': m0001,
  '0002_stats_indexes': m0002,
};

export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  readonly migration: string | undefined;
  constructor(migration: string | undefined, options: { cause: unknown }) {
    super(
      `migration ${migration ?? '(unknown)'} failed: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`,
      options,
    );
    this.name = new.target.name;
    this.migration = migration;
  }
}

export interface MigrateResult {
  applied: string[];
}

/** Brings the schema to the latest migration; safe to run concurrently (Kysely takes a lock). */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrateResult> {
  const migrator = new Migrator({
    db: db as unknown as Kysely<unknown>,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
