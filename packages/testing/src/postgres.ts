import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for tests, the way immich and kysely do it: build a template database once (migrated
 * schema, optionally fixture data), then give every test file its own `CREATE DATABASE … TEMPLATE`
 * copy — milliseconds, fully isolated, dropped afterwards.
 */

export const ADMIN_URL = process.env.MEALWISE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TemplateSpec {
  /** Identifies what the template holds; a new version builds a new template. */
  name: string;
  version: string;
  /** Fills the freshly created template database (migrations, fixtures). */
  prepare: (databaseUrl: string) => Promise<void>;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function databaseUrl(name: string, base = ADMIN_URL): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Short stable hash, for template versions derived from file contents. */
export function versionOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 10);
}

async function ensureTemplate(spec: TemplateSpec): Promise<string> {
  const template = `${spec.name}_${spec.version}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await withAdmin(async (admin) => {
    // Test files in several processes may race to build it: one builds, the others wait.
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount) return;
      const building = `${template}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${building}"`);
      await spec.prepare(databaseUrl(building));
      // Rename only once complete, so a crash mid-build never leaves a half-made template.
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
  return template;
}

/** A fresh database copied from the template, for one test file. */
export async function createTestDatabase(spec: TemplateSpec): Promise<TestDatabase> {
  const template = await ensureTemplate(spec);
  const name = `t_${spec.name}_${randomUUID().replace(/-/g, '').slice(0, 12)}`.toLowerCase();
  await withAdmin(async (admin) => {
    // CREATE DATABASE … TEMPLATE fails while another session is connected to the template
    // (a concurrent copy holds it briefly): retry a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}
