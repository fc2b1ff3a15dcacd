import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { StatsService } from '@mealwise/stats';
import { run } from './run.ts';

async function allActive(stats: StatsService, minOrders: number, days: number): Promise<number[]> {
  const out: number[] = [];
  for await (const page of stats.activeUsers({ minOrders, days })) out.push(...page);
  return out;
}

describe('mealwise db seed, stats, users active', () => {
  let t: MigratedTestDatabase;
  let env: Record<string, string>;
  let active: number[];

  beforeAll(async () => {
    t = await createMigratedTestDatabase();
    env = { DATABASE_URL: t.url };
    const seeded = await run(['db', 'seed', '--users', '300', '--seed', '11', '--json'], env);
    expect(seeded).toMatchObject({ code: 0, stderr: '' });
    active = await allActive(new StatsService(t.db), 5, 30);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('db seed --json prints the summary, and the rows are there', async () => {
    const again = await run(['db', 'seed', '--users', '300', '--seed', '11', '--truncate', '--json'], env);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({ users: 300, seed: 11, cafes: 6 });
    expect(summary.orders).toBeGreaterThan(0);
    expect(summary.orderItems).toBeGreaterThan(summary.orders);
    expect(typeof summary.seconds).toBe('number');
    const { n } = await t.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(summary.orders);
  });

  it('db seed refuses a database that has data, naming --truncate', async () => {
    await expect(run(['db', 'seed', '--users', '10'], env)).rejects.toThrow('--truncate');
  });

  it('db seed without --json prints progress lines on stderr and a summary on stdout', async () => {
    const r = await run(['db', 'seed', '--users', '300', '--seed', '11', '--truncate'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^seed: users 0%/m);
    expect(r.stderr).toMatch(/^seed: finish 100% \(users 300, orders [\d,]+, items [\d,]+\)$/m);
    expect(r.stdout).toMatch(/^users\s+300$/m);
    expect(r.stdout).toMatch(/^seconds\s+[\d.]+$/m);
  });

  it('stats <tgid> --json prints what StatsService computes', async () => {
    const tgid = active[0]!;
    const r = await run(['stats', String(tgid), '--json'], env);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed).toEqual({
      tgid,
      days: 30,
      stats: await new StatsService(t.db).getUserStats(tgid, { days: 30 }),
    });
    expect(printed.stats.orders_count).toBeGreaterThanOrEqual(5);
    const week = JSON.parse((await run(['stats', String(tgid), '--days', '7', '--json'], env)).stdout);
    expect(week.days).toBe(7);
    expect(week.stats.orders_count).toBeLessThanOrEqual(printed.stats.orders_count);
  });

  it('stats takes its default window from RECS_DAYS', async () => {
    const tgid = active[0]!;
    const r = await run(['stats', String(tgid), '--json'], { ...env, RECS_DAYS: '3' });
    expect(JSON.parse(r.stdout).days).toBe(3);
  });

  it('stats prints a readable summary with favourites', async () => {
    const r = await run(['stats', String(active[0]!)], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^orders\s+\d+$/m);
    expect(r.stdout).toMatch(/^categories\s+soup \d+ %, salad \d+ %, main \d+ %, extra \d+ %$/m);
    expect(r.stdout).toContain('favourite');
  });

  it('stats of an unknown user fails with a clear message', async () => {
    await expect(run(['stats', '12345'], env)).rejects.toThrow('no user with tgid 12345');
  });

  it('users active streams every active user, as lines or one JSON array', async () => {
    expect(active.length).toBeGreaterThan(50);
    const lines = await run(['users', 'active', '--page-size', '7'], env);
    expect(lines.code).toBe(0);
    expect(lines.stdout.trim().split('\n').map(Number)).toEqual(active);
    const json = await run(['users', 'active', '--json', '--page-size', '13'], env);
    expect(JSON.parse(json.stdout)).toEqual(active);
    // An exact multiple of the page size still closes the array correctly.
    const exact = await run(['users', 'active', '--json', '--page-size', String(active.length)], env);
    expect(JSON.parse(exact.stdout)).toEqual(active);
    const none = await run(['users', 'active', '--json', '--min-orders', '100000'], env);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('users active honours --min-orders/--days and the RECS_* defaults; --count counts', async () => {
    const stats = new StatsService(t.db);
    const loose = await allActive(stats, 2, 45);
    const r = await run(['users', 'active', '--min-orders', '2', '--days', '45', '--json'], env);
    expect(JSON.parse(r.stdout)).toEqual(loose);
    const fromEnv = await run(['users', 'active', '--json'], {
      ...env,
      RECS_MIN_ORDERS: '2',
      RECS_DAYS: '45',
    });
    expect(JSON.parse(fromEnv.stdout)).toEqual(loose);
    expect(loose.length).toBeGreaterThan(active.length);
    const count = await run(['users', 'active', '--count', '--json'], env);
    expect(JSON.parse(count.stdout)).toEqual({ count: active.length, min_orders: 5, days: 30 });
    expect((await run(['users', 'active', '--count'], env)).stdout).toBe(`${active.length}\n`);
  });

  it.each([
    [['stats', 'abc']],
    [['stats', '-5']],
    [['stats', '0']],
    [['stats', '12', '--days', '0']],
    [['stats', '12', '--days', '366']],
    [['stats']],
    [['users', 'active', '--min-orders', '0']],
    [['users', 'active', '--days', 'x']],
    [['users', 'active', '--page-size', '0']],
    [['users']],
    [['db', 'seed', '--users', '-5']],
    [['db', 'seed', '--seed', '1.5']],
  ])('%j prints usage and exits 2', async (argv) => {
    const r = await run(argv, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: mealwise');
  });

  it('names a bad RECS_* variable', async () => {
    await expect(run(['users', 'active'], { ...env, RECS_MIN_ORDERS: '0' })).rejects.toThrow(
      'Invalid configuration: RECS_MIN_ORDERS must be an integer from 1 to 100000 (got "0")',
    );
  });
});
