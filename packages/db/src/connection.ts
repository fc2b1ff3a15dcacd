import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// int8 (bigint: tgid, order ids) arrives as a string by default. Telegram ids and our order ids
// stay far below 2^53, so parse them to numbers once, here, instead of at every call site.
const INT8_OID = 20;

export interface DbOptions {
  connectionString: string;
  /** Pool size; the worker needs about its concurrency, the API a little more. */
  max?: number;
  /** Fail a query that runs longer than this (ms); protects a request path from a stuck DB. */
  statementTimeoutMs?: number;
  /** Give up connecting after this long (ms) instead of waiting for TCP's own timeout. */
  connectionTimeoutMs?: number;
  /**
   * Give up waiting for a free pooled client after this long (ms); default `connectionTimeoutMs`.
   * Waiting for a client is this process's own queue, not the database being slow: under a burst
   * (hundreds of requests, `max` clients) the wait may rightly outlast the bound on connecting.
   */
  acquireTimeoutMs?: number;
  applicationName?: string;
}

export function createPool(options: DbOptions): pg.Pool {
  const connectMs = options.connectionTimeoutMs ?? 5_000;
  const acquireMs = Math.max(options.acquireTimeoutMs ?? connectMs, connectMs);
  // pg-pool has one timeout for both waiting in its queue and connecting a new client; the client
  // has its own for connecting. Longer queue waits: the pool's timer bounds the wait, the client's
  // (`timeout expired`) keeps bounding the connection itself.
  class BoundedClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super({
        ...(typeof config === 'string' ? { connectionString: config } : config),
        connectionTimeoutMillis: connectMs,
      });
    }
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: acquireMs,
    ...(acquireMs > connectMs ? { Client: BoundedClient } : {}),
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'mealwise',
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection (PostgreSQL restarted) emits 'error' on the pool; without
  // a listener that would crash the process. The next query simply gets a new connection.
  pool.on('error', () => {});
  // A checked-out client whose connection drops between two queries (PostgreSQL stopped mid-job)
  // emits 'error' on the client itself, where pg-pool listens only while it is idle: unheard, it
  // kills the process. The query in flight still rejects, so the caller sees the failure.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

export function createDb(options: DbOptions): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(options) }) });
}
