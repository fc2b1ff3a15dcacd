import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_URL } from '@mealwise/testing';
import { createPool } from './connection.ts';

// A queued wait for a pooled client and the connection itself are bounded separately: the chaos
// soak (500 connections of mixed API traffic) found the API answering 503 "postgres is
// unavailable" while PostgreSQL was healthy, because waiting for one of its 10 clients passed the
// 1 s bound meant for connecting.
describe('createPool timeouts', () => {
  let blackhole: Server;
  const sockets: Socket[] = [];
  let blackholeUrl: string;

  beforeAll(async () => {
    // Accepts TCP connections and never answers: a PostgreSQL that hangs.
    blackhole = createServer((s) => sockets.push(s)).listen(0, '127.0.0.1');
    await once(blackhole, 'listening');
    const { port } = blackhole.address() as { port: number };
    blackholeUrl = `postgres://postgres@127.0.0.1:${port}/none`;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    blackhole.close();
  });

  it('a wait for a busy pool may outlast the connect bound when acquireTimeoutMs allows it', async () => {
    const pool = createPool({
      connectionString: ADMIN_URL,
      max: 1,
      connectionTimeoutMs: 200,
      acquireTimeoutMs: 3_000,
    });
    try {
      const held = await pool.connect();
      const started = performance.now();
      const queued = pool.query('select 1 as one');
      setTimeout(() => held.release(), 700);
      const { rows } = await queued;
      expect(rows).toEqual([{ one: 1 }]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(600);
    } finally {
      await pool.end();
    }
  });

  it('without acquireTimeoutMs the wait keeps the connect bound (unchanged default)', async () => {
    const pool = createPool({ connectionString: ADMIN_URL, max: 1, connectionTimeoutMs: 200 });
    try {
      const held = await pool.connect();
      await expect(pool.query('select 1')).rejects.toThrow(/timeout exceeded when trying to connect/);
      held.release();
    } finally {
      await pool.end();
    }
  });

  it('connecting to a database that never answers still fails after connectionTimeoutMs', async () => {
    const pool = createPool({
      connectionString: blackholeUrl,
      max: 2,
      connectionTimeoutMs: 200,
      acquireTimeoutMs: 5_000,
    });
    try {
      const started = performance.now();
      await expect(pool.query('select 1')).rejects.toThrow(/timeout expired|Connection terminated/);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await pool.end();
    }
  });
});
