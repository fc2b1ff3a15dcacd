import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { seedDemoData } from '../src/seed/index.ts';
import { clearActivityEdge, createMigratedTestDatabase, type MigratedTestDatabase } from '../src/testing.ts';

let t: MigratedTestDatabase;
beforeAll(async () => {
  t = await createMigratedTestDatabase();
  // Orders at the real now's 30-day edge, whatever the hour: lunch (08–12 UTC) 30 days ago is
  // where they cluster, so seed with `now` placing that lunch on the edge.
  const edge = new Date(Date.now() - 30 * 86_400_000);
  const lunch = Date.UTC(edge.getUTCFullYear(), edge.getUTCMonth(), edge.getUTCDate(), 10);
  await seedDemoData(t.url, { users: 300, seed: 3, now: new Date(Date.now() - (edge.getTime() - lunch)) });
});
afterAll(() => t?.dispose());

const countNearEdge = async (hours: number) =>
  Number(
    (
      await sql<{ n: string }>`SELECT count(*) AS n FROM orders
        WHERE created_at BETWEEN now() - interval '30 days' - make_interval(hours => ${hours}::int)
                             AND now() - interval '30 days' + make_interval(hours => ${hours}::int)`.execute(
        t.db,
      )
    ).rows[0]!.n,
  );

it('clearActivityEdge leaves no order within the margin of the 30-day edge, and keeps the rest', async () => {
  const before = Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM orders`.execute(t.db)).rows[0]!.n,
  );
  expect(await countNearEdge(6)).toBeGreaterThan(0);
  await clearActivityEdge(t.db);
  expect(await countNearEdge(6)).toBe(0);
  const after = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM orders`.execute(t.db)).rows[0]!.n);
  expect(after).toBeLessThan(before);
  expect(after).toBeGreaterThan(before * 0.9);
  // Their items went with them.
  const orphans = await sql<{ n: string }>`SELECT count(*) AS n FROM order_items i
    WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = i.order_id)`.execute(t.db);
  expect(Number(orphans.rows[0]!.n)).toBe(0);
});
