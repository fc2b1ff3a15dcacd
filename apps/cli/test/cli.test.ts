import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { run } from './run.ts';

describe('mealwise cli', () => {
  let t: MigratedTestDatabase;
  beforeAll(async () => {
    t = await createMigratedTestDatabase();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('prints usage and exits 2 for an unknown command', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: mealwise');
  });

  it('prints usage and exits 2 without a command', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: mealwise');
  });

  it('prints usage and exits 2 for an unknown option', async () => {
    const r = await run(['db', 'migrate', '--frob']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frob'[\s\S]*Usage: mealwise db migrate/);
  });

  it('prints usage and exits 2 for a command group without its subcommand', async () => {
    const r = await run(['db']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: mealwise db');
  });

  it('exits 0 for --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: mealwise');
  });

  it('db migrate --json reports an up-to-date schema', async () => {
    const r = await run(['db', 'migrate', '--json'], { DATABASE_URL: t.url });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ applied: [] });
  });

  it('names the variable when configuration is invalid', async () => {
    await expect(run(['db', 'migrate'], { DATABASE_URL: 'mysql://x' })).rejects.toThrow(
      'Invalid configuration: DATABASE_URL must be a URL (postgres://, postgresql://) (got "mysql://x")',
    );
  });
});
