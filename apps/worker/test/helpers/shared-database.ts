// Several E2e environments over one seeded orders database per test file: seeding is the slow
// part, while each environment still gets Redis namespaces and an emulator of its own. Registers
// its own beforeAll / afterAll, so call it once at the top level of a test file.
import { afterAll, beforeAll } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { E2e, type E2eOptions, seedForE2e } from './e2e.ts';

export interface SharedDatabase {
  /** The seeded active users, ascending; filled in place by beforeAll, so destructuring is safe. */
  active: number[];
  /** Starts an environment on the shared database; it is closed after the file's tests. */
  open(o: Omit<E2eOptions, 'db' | 'users' | 'seed'>): Promise<E2e>;
}

export function useSharedDatabase(seed: { users: number; seed: number }): SharedDatabase {
  let db: MigratedTestDatabase | undefined;
  const opened: E2e[] = [];
  const active: number[] = [];

  async function open(o: Omit<E2eOptions, 'db' | 'users' | 'seed'>): Promise<E2e> {
    if (!db) throw new Error('useSharedDatabase: open() before beforeAll ran');
    const e = await E2e.start({ ...o, db });
    opened.push(e);
    return e;
  }

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    await seedForE2e(db, seed);
    active.push(...(await (await open({ projects: 1 })).activeUsers()));
  }, 60_000);

  afterAll(async () => {
    for (const e of opened) await e.close();
    await db?.dispose();
  }, 60_000);

  return { active, open };
}
