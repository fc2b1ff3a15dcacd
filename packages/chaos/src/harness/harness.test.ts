// The harness itself, end to end on a small stack: a batch through the CLI, the invariants, a
// Redis restart, the proxy cut/restore, the secrets scan (and that it does find a planted secret).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { reapAll } from './processes.ts';
import { type Stack, startStack } from './stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ name: 'harness-selftest', users: 40, pgProxy: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await reapAll();
}, 60_000);

describe('chaos harness', () => {
  it('runs a batch from the CLI and every invariant holds', async () => {
    await stack.startWorker();
    const runId = await stack.triggerBatch();
    const s = await stack.waitForRun(runId, { timeoutMs: 60_000 });
    expect(s.total).toBe(40);
    const inv = await stack.checkInvariants(runId);
    expect(inv.problems).toEqual([]);
    expect(inv).toMatchObject({
      users: 40,
      gemini: 40,
      missing: 0,
      duplicates: 0,
      overruns: 0,
      generations: 40,
    });
    expect(inv.okCalls).toBe(40);
    await stack.scanSecrets();
  }, 120_000);

  it('restarts its own Redis with the data kept (AOF)', async () => {
    await stack.redis.set('chaos:probe', 'kept');
    await new Promise((r) => setTimeout(r, 1_200));
    const down = await stack.redisServer.restart({ downMs: 500 });
    expect(down).toBeGreaterThanOrEqual(500);
    expect(await stack.redis.get('chaos:probe')).toBe('kept');
  }, 60_000);

  it('cuts PostgreSQL at the proxy and restores it', async () => {
    const query = async () => {
      const c = new pg.Client({ connectionString: stack.databaseUrl, connectionTimeoutMillis: 1_000 });
      try {
        await c.connect();
        return (await c.query('SELECT count(*)::int AS n FROM users')).rows[0].n as number;
      } finally {
        await c.end().catch(() => {});
      }
    };
    expect(await query()).toBe(40);
    await stack.pgProxy!.cut('refuse');
    await expect(query()).rejects.toThrow();
    await stack.pgProxy!.cut('blackhole');
    await expect(query()).rejects.toThrow();
    await stack.pgProxy!.restore();
    expect(await query()).toBe(40);
    // drop: an open connection freezes (its query waits) and resumes when the path heals.
    const c = new pg.Client({ connectionString: stack.databaseUrl });
    await c.connect();
    await stack.pgProxy!.cut('drop');
    let answered = false;
    const pending = c.query('SELECT 1 AS one').then((r) => {
      answered = true;
      return r.rows[0].one as number;
    });
    await expect(query()).rejects.toThrow();
    expect(answered).toBe(false);
    await stack.pgProxy!.restore();
    expect(await pending).toBe(1);
    await c.end();
  }, 30_000);

  it('the secrets scan finds a planted secret and names it without printing it', async () => {
    stack.noteText('planted', `oops ${stack.keys[0]!.key}`);
    const hits = await stack.scanSecrets({ throwOnHit: false });
    expect(hits).toEqual([{ secret: expect.stringContaining(stack.keys[0]!.fingerprint), where: 'planted' }]);
    await expect(stack.scanSecrets()).rejects.toThrow(/GEMINI key/);
    try {
      await stack.scanSecrets();
    } catch (err) {
      expect(String(err)).not.toContain(stack.keys[0]!.key);
    }
  }, 30_000);
});
