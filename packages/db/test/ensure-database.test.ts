import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ADMIN_URL, databaseUrl } from '@mealwise/testing';
import pg from 'pg';
import { ensureDatabase } from '../src/ensure-database.ts';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('ensureDatabase', () => {
  it('creates a missing database once, then leaves it alone', async () => {
    const name = `t_ensure_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const url = databaseUrl(name);
    try {
      expect(await ensureDatabase(url)).toBe(true);
      const exists = await admin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
      expect(exists.rowCount).toBe(1);
      expect(await ensureDatabase(url)).toBe(false);
    } finally {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  });

  it('survives concurrent creators', async () => {
    const name = `t_ensure_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const url = databaseUrl(name);
    try {
      const created = await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
      expect(created.filter(Boolean).length).toBeLessThanOrEqual(1);
      const exists = await admin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
      expect(exists.rowCount).toBe(1);
    } finally {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  });

  it('rejects a URL without a database name', async () => {
    await expect(ensureDatabase('postgres://postgres@127.0.0.1:5432')).rejects.toThrow('names no database');
  });
});
