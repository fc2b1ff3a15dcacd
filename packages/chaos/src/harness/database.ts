// The scenario's own orders database: migrated, seeded with exactly N users who are all active
// (DESIGN §4: is_active and ≥ RECS_MIN_ORDERS orders in the last RECS_DAYS days), copied from a
// template built once per (schema, N, day) — a 2,000-user database costs milliseconds after the first.
import { createDb, migrateToLatest, migrations, seedDemoData } from '@mealwise/db';
import {
  activeUsers as activeUsersOf,
  createTestDatabase,
  type TestDatabase,
  versionOf,
} from '@mealwise/testing';
import { sql } from 'kysely';

export const MIN_ORDERS = 5;
export const DAYS = 30;

const schemaVersion = versionOf(...Object.entries(migrations).map(([name, m]) => `${name}:${String(m.up)}`));

/** Active users by the DESIGN §4 definition, by an independent query (ascending tgids). */
export function activeUsers(url: string, minOrders = MIN_ORDERS, days = DAYS): Promise<number[]> {
  return activeUsersOf(url, minOrders, days);
}

async function seedAllActive(url: string, users: number, seed: number): Promise<void> {
  const db = createDb({ connectionString: url, max: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  // About half the demo users are active: seed more, keep the first N active ones, drop the rest.
  for (let factor = 2.5; ; factor *= 1.5) {
    await seedDemoData(url, { users: Math.ceil(users * factor) + 20, seed, truncate: true });
    // Active by a margin (2 days narrower window): still active when the template is used hours later.
    const active = await activeUsers(url, MIN_ORDERS, DAYS - 2);
    if (active.length < users) continue;
    const keep = active.slice(0, users);
    const db2 = createDb({ connectionString: url, max: 1 });
    try {
      await sql`DELETE FROM orders WHERE user_tgid <> ALL(${keep}::bigint[])`.execute(db2);
      await sql`DELETE FROM users WHERE tgid <> ALL(${keep}::bigint[])`.execute(db2);
      await sql`VACUUM ANALYZE`.execute(db2).catch(() => {});
    } finally {
      await db2.destroy();
    }
    const check = await activeUsers(url);
    if (check.length !== users) throw new Error(`seeded ${check.length} active users, wanted ${users}`);
    return;
  }
}

export async function createSeededDatabase(users: number, seed = 7): Promise<TestDatabase> {
  const day = new Date().toISOString().slice(0, 10);
  return createTestDatabase({
    name: `chaos_${users}`,
    version: versionOf(schemaVersion, String(users), String(seed), day, 'all-active-v1'),
    prepare: (url) => seedAllActive(url, users, seed),
  });
}
