import {
  createDb,
  DEMO_DATA_VERSION,
  ensureDatabase,
  migrateToLatest,
  migrations,
  type SeedSummary,
  seedDemoData,
} from '@mealwise/db';
import { sql } from 'kysely';

/**
 * The benchmark's dataset lives in its own database and is reused between runs: its parameters
 * are stored as the database's COMMENT, and it is re-seeded only when they differ (or on request).
 */
export interface DatasetMarker {
  version: number;
  migrations: string[];
  users: number;
  seed: number;
  /** The `now` the data was generated against; the bench pins the stats clock to it. */
  now: string;
  summary: SeedSummary;
  seededAt: string;
}

export interface Dataset {
  marker: DatasetMarker;
  /** Whether this run seeded it (so the seed time was measured now). */
  seededNow: boolean;
}

export async function prepareDataset(
  url: string,
  want: { users: number; seed: number; reseed: boolean },
  log: (s: string) => void,
): Promise<Dataset> {
  await ensureDatabase(url);
  const db = createDb({ connectionString: url, max: 1 });
  try {
    await migrateToLatest(db);
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    const { rows } = await sql<{ comment: string | null }>`
      SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = ${name}`.execute(
      db,
    );
    const current = parse(rows[0]?.comment ?? null);
    const schema = Object.keys(migrations);
    if (
      !want.reseed &&
      current &&
      current.version === DEMO_DATA_VERSION &&
      current.users === want.users &&
      current.seed === want.seed &&
      JSON.stringify(current.migrations) === JSON.stringify(schema)
    ) {
      log(`dataset: reusing ${name} (seeded ${current.seededAt} in ${current.summary.seconds} s)`);
      return { marker: current, seededNow: false };
    }
    log(`dataset: seeding ${name} with ${want.users.toLocaleString('en-US')} users (seed ${want.seed})…`);
    let lastPhase = '';
    const summary = await seedDemoData(url, {
      users: want.users,
      seed: want.seed,
      truncate: true,
      onProgress: (p) => {
        if (p.phase !== lastPhase) log(`  ${p.phase} (${(p.fraction * 100).toFixed(0)} %)`);
        lastPhase = p.phase;
      },
    });
    const marker: DatasetMarker = {
      version: DEMO_DATA_VERSION,
      migrations: schema,
      users: want.users,
      seed: want.seed,
      now: summary.now,
      summary,
      seededAt: new Date().toISOString(),
    };
    await sql`COMMENT ON DATABASE ${sql.id(name)} IS ${sql.lit(JSON.stringify(marker))}`.execute(db);
    log(`dataset: seeded in ${summary.seconds} s`);
    return { marker, seededNow: true };
  } finally {
    await db.destroy();
  }
}

function parse(comment: string | null): DatasetMarker | undefined {
  if (!comment) return undefined;
  try {
    return JSON.parse(comment) as DatasetMarker;
  } catch {
    return undefined;
  }
}
