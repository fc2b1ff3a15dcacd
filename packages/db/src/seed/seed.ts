import pg from 'pg';
import { copyInto, copyText } from './copy.ts';
import { dropForLoad, restoreAfterLoad } from './deferred.ts';
import { buildMenu } from './menu.ts';
import { type DayOfOrders, generateOrders, HISTORY_DAYS } from './orders.ts';
import { buildUsers, type SeedUser } from './users.ts';

/** Bumped whenever the same options would generate different data (benchmarks re-seed on change). */
export const DEMO_DATA_VERSION = 1;

export interface SeedOptions {
  /** Users to create (default 10,000). About 13 orders and 25 order items per user. */
  users?: number;
  /** Same seed, same `now` → the same rows, on any machine (default 1). */
  seed?: number;
  /** Orders span the 60 days before this instant (default: the current time). */
  now?: Date;
  /** 2..6; the last one is closed (default 6). */
  cafes?: number;
  /**
   * Seeding needs empty tables: by default a database that already has users, cafes, dishes or
   * orders is refused with SeedTargetNotEmptyError. `truncate: true` empties those five tables
   * first (in the same transaction as the load, so a failed seed leaves the old data in place).
   */
  truncate?: boolean;
  /** Called as the load advances (a few dozen times in all), for progress bars. */
  onProgress?: (progress: SeedProgress) => void;
}

export type SeedPhase = 'users' | 'orders' | 'items' | 'finish';

export interface SeedProgress {
  phase: SeedPhase;
  /** Share of the whole job done, 0..1. */
  fraction: number;
  users: number;
  orders: number;
  orderItems: number;
}

export interface SeedSummary {
  seed: number;
  now: string;
  users: number;
  cafes: number;
  dishes: number;
  orders: number;
  cancelledOrders: number;
  orderItems: number;
  seconds: number;
}

export class SeedTargetNotEmptyError extends Error {
  readonly code = 'SEED_TARGET_NOT_EMPTY';
  constructor() {
    super('the database already has orders data; seed an empty database or pass truncate (--truncate)');
    this.name = new.target.name;
  }
}

export class InvalidSeedOptionsError extends Error {
  readonly code = 'INVALID_SEED_OPTIONS';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const TABLES = ['order_items', 'orders', 'dishes', 'cafes', 'users'] as const;
// Rows per COPY chunk: big enough that stream overhead vanishes, small enough to stay in cache.
const CHUNK_ROWS = 4096;

function validate(options: SeedOptions): Required<Omit<SeedOptions, 'onProgress'>> {
  const users = options.users ?? 10_000;
  const seed = options.seed ?? 1;
  const now = options.now ?? new Date();
  const cafes = options.cafes ?? 6;
  if (!Number.isSafeInteger(users) || users < 0 || users > 10_000_000) {
    throw new InvalidSeedOptionsError('users must be an integer from 0 to 10,000,000');
  }
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidSeedOptionsError('seed must be an integer from 0 to 4294967295');
  }
  if (Number.isNaN(now.getTime())) throw new InvalidSeedOptionsError('now must be a valid date');
  if (!Number.isInteger(cafes) || cafes < 2 || cafes > 6) {
    throw new InvalidSeedOptionsError('cafes must be an integer from 2 to 6');
  }
  return { users, seed, now, cafes, truncate: options.truncate ?? false };
}

/**
 * Fills an empty (migrated) orders database with deterministic demo data, streaming generated rows
 * through COPY in one transaction. See the package README for the data it makes.
 */
export async function seedDemoData(
  connectionString: string,
  options: SeedOptions = {},
): Promise<SeedSummary> {
  const opts = validate(options);
  const started = performance.now();
  const nowMs = opts.now.getTime();
  const menu = buildMenu(opts.seed, opts.cafes);
  // Each pass replays the walk from fresh users (see buildUsers).
  const walk = () => generateOrders(buildUsers(opts.seed, opts.users, nowMs), menu, nowMs);

  const counts = { users: 0, orders: 0, orderItems: 0, cancelledOrders: 0 };
  const report = (phase: SeedPhase, fraction: number) =>
    options.onProgress?.({
      phase,
      fraction,
      users: counts.users,
      orders: counts.orders,
      orderItems: counts.orderItems,
    });

  const client = new pg.Client({ connectionString, application_name: 'mealwise-seed' });
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ used: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM cafes)
           OR EXISTS (SELECT 1 FROM dishes) OR EXISTS (SELECT 1 FROM orders) AS used`,
    );
    if (rows[0]?.used && !opts.truncate) throw new SeedTargetNotEmptyError();
    // Even when the tables are already empty: truncating in this transaction lets COPY … FREEZE
    // write rows already frozen and all-visible, so index-only scans work without a VACUUM.
    await client.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY`);
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    const deferred = await dropForLoad(client, TABLES);

    await copyInto(client, 'COPY cafes (id, name, is_active) FROM STDIN WITH (FREEZE)', [
      menu.cafes.map((c) => `${c.id}\t${copyText(c.name)}\t${c.isActive ? 't' : 'f'}\n`).join(''),
    ]);
    await copyInto(
      client,
      'COPY dishes (id, cafe_id, name, category, is_available) FROM STDIN WITH (FREEZE)',
      [
        menu.dishes
          .map(
            (d) => `${d.id}\t${d.cafeId}\t${copyText(d.name)}\t${d.category}\t${d.isAvailable ? 't' : 'f'}\n`,
          )
          .join(''),
      ],
    );
    report('users', 0);
    await copyInto(
      client,
      'COPY users (tgid, name, is_active, created_at) FROM STDIN WITH (FREEZE)',
      userRows(buildUsers(opts.seed, opts.users, nowMs), counts),
    );
    report('users', 0.05);

    await copyInto(
      client,
      'COPY orders (id, user_tgid, cafe_id, status, created_at) FROM STDIN WITH (FREEZE)',
      orderRows(walk(), counts, (day) => report('orders', 0.05 + 0.35 * day)),
    );
    await copyInto(
      client,
      'COPY order_items (order_id, dish_id, quantity) FROM STDIN WITH (FREEZE)',
      itemRows(walk(), counts, (day) => report('items', 0.4 + 0.5 * day)),
    );
    report('finish', 0.9);
    await restoreAfterLoad(client, deferred);
    await setSequences(client);
    await client.query('COMMIT');
    // Fresh statistics, or the planner guesses from an empty table and picks bad plans.
    await client.query(`ANALYZE ${TABLES.join(', ')}`);
    report('finish', 1);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
  return {
    seed: opts.seed,
    now: opts.now.toISOString(),
    users: counts.users,
    cafes: menu.cafes.length,
    dishes: menu.dishes.length,
    orders: counts.orders,
    cancelledOrders: counts.cancelledOrders,
    orderItems: counts.orderItems,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}

function* userRows(users: SeedUser[], counts: { users: number }): Generator<string> {
  let chunk = '';
  for (let i = 0; i < users.length; i++) {
    const u = users[i]!;
    chunk += `${u.tgid}\t${copyText(u.name)}\t${u.isActive ? 't' : 'f'}\t${new Date(u.createdAt).toISOString()}\n`;
    if ((i + 1) % CHUNK_ROWS === 0) {
      yield chunk;
      chunk = '';
    }
  }
  counts.users = users.length;
  if (chunk) yield chunk;
}

// Order ids are assigned here, 1.. in generation (= time) order; both passes walk the same orders,
// so order_items reference the right ids. The sequence is moved past them afterwards.
function* orderRows(
  days: Generator<DayOfOrders>,
  counts: { orders: number; cancelledOrders: number },
  progress: (fraction: number) => void,
): Generator<string> {
  let id = 0;
  for (const { daysAgo, orders } of days) {
    let chunk = '';
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      id++;
      if (o.status === 'cancelled') counts.cancelledOrders++;
      chunk += `${id}\t${o.tgid}\t${o.cafeId}\t${o.status}\t${new Date(o.at).toISOString()}\n`;
      if ((i + 1) % CHUNK_ROWS === 0) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
    counts.orders = id;
    progress((HISTORY_DAYS - daysAgo) / HISTORY_DAYS);
  }
}

function* itemRows(
  days: Generator<DayOfOrders>,
  counts: { orderItems: number },
  progress: (fraction: number) => void,
): Generator<string> {
  let id = 0;
  for (const { daysAgo, orders } of days) {
    let chunk = '';
    let rows = 0;
    for (const o of orders) {
      id++;
      for (let k = 0; k < o.items.length; k += 2) {
        chunk += `${id}\t${o.items[k]}\t${o.items[k + 1]}\n`;
        counts.orderItems++;
        if (++rows % CHUNK_ROWS === 0) {
          yield chunk;
          chunk = '';
        }
      }
    }
    if (chunk) yield chunk;
    progress((HISTORY_DAYS - daysAgo) / HISTORY_DAYS);
  }
}

async function setSequences(client: pg.ClientBase): Promise<void> {
  for (const [table, column] of [
    ['cafes', 'id'],
    ['dishes', 'id'],
    ['orders', 'id'],
  ] as const) {
    // setval(…, false) on an empty table: the next id is 1.
    await client.query(
      `SELECT setval(pg_get_serial_sequence('${table}', '${column}'),
                     COALESCE(MAX(${column}), 0) + 1, false) FROM ${table}`,
    );
  }
}
