import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createDb } from '@mealwise/db';
import { ADMIN_URL, databaseUrl, spawnNodeTs } from '@mealwise/testing';
import { sql } from 'kysely';

const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

async function mealwise(args: string[], env: Record<string, string>) {
  const p = spawnNodeTs(MAIN, args, { env: { LOG_LEVEL: 'error', ...env } });
  const code = await p.exited;
  return { code, output: p.lines.join('\n') };
}

describe('the mealwise process', () => {
  // A database that does not exist yet: `db migrate` and `db seed` must create it.
  const name = `t_cli_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const env = { DATABASE_URL: databaseUrl(name) };

  afterAll(async () => {
    const admin = createDb({ connectionString: ADMIN_URL, max: 1 });
    await sql`DROP DATABASE IF EXISTS ${sql.id(name)} WITH (FORCE)`.execute(admin);
    await admin.destroy();
  });

  it('creates and migrates a missing database, seeds it, and answers stats with exit codes', async () => {
    const migrate = await mealwise(['db', 'migrate', '--json'], env);
    expect(migrate.code).toBe(0);
    expect(JSON.parse(migrate.output)).toEqual({ applied: ['0001_orders_schema', '0002_stats_indexes'] });

    const seed = await mealwise(['db', 'seed', '--users', '200', '--seed', '5', '--json'], env);
    expect(seed.code).toBe(0);
    expect(JSON.parse(seed.output)).toMatchObject({ users: 200, seed: 5 });

    const active = await mealwise(['users', 'active', '--json'], env);
    expect(active.code).toBe(0);
    const tgids: number[] = JSON.parse(active.output);
    expect(tgids.length).toBeGreaterThan(20);

    const stats = await mealwise(['stats', String(tgids[0]), '--json'], env);
    expect(stats.code).toBe(0);
    const printed = JSON.parse(stats.output);
    expect(printed.tgid).toBe(tgids[0]);
    expect(printed.stats.orders_count).toBeGreaterThanOrEqual(5);
    expect(Object.keys(printed.stats.categories).sort()).toEqual(['extra', 'main', 'salad', 'soup']);

    const usage = await mealwise(['stats', 'nope'], env);
    expect(usage.code).toBe(2);
    expect(usage.output).toContain('Usage: mealwise stats');

    const unknown = await mealwise(['stats', '1'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('mealwise: no user with tgid 1');

    // `users active | head -1`: the reader closes the pipe after the first line; one page per
    // tgid keeps the command writing long after that.
    const piped = spawnNodeTs(MAIN, ['users', 'active', '--page-size', '1'], {
      env: { LOG_LEVEL: 'error', ...env },
    });
    await piped.waitForLine(/^\d+$/);
    piped.child.stdout!.destroy();
    expect(await piped.exited).toBe(0);
    expect(piped.lines.join('\n')).not.toMatch(/EPIPE|Error/);
  }, 120_000);
});
