import { ensureDatabase, migrateToLatest, seedDemoData } from '@mealwise/db';
import type { Command } from 'commander';
import { intArg } from '../args.ts';
import type { Registrar } from '../program.ts';
import { seedProgress } from './progress.ts';

interface SeedOpts {
  users: number;
  seed: number;
  truncate?: boolean;
}

/**
 * `db seed`: creates the database if needed, migrates it, and loads deterministic demo data —
 * so `pnpm mealwise db seed` alone works on a fresh machine.
 */
export function registerSeed(db: Command, r: Registrar): void {
  const cmd = db
    .command('seed')
    .description('create, migrate and fill the database with deterministic demo data (COPY)')
    .option('--users <n>', 'users to create', intArg('--users', { min: 0, max: 10_000_000 }), 10_000)
    .option(
      '--seed <s>',
      'random seed: the same seed gives the same data',
      intArg('--seed', { max: 0xffffffff }),
      1,
    )
    .option('--truncate', 'empty the orders tables first (otherwise a non-empty database is refused)');
  r.action<[], SeedOpts>(cmd, async (ctx, opts) => {
    const url = ctx.config.database().DATABASE_URL;
    await ensureDatabase(url);
    await migrateToLatest(ctx.db());
    const progress = seedProgress(ctx, Boolean(opts.json));
    let summary: Awaited<ReturnType<typeof seedDemoData>>;
    try {
      summary = await seedDemoData(url, {
        users: opts.users,
        seed: opts.seed,
        truncate: Boolean(opts.truncate),
        onProgress: (p) => progress.onProgress(p),
      });
    } finally {
      progress.stop();
    }
    ctx.out.result(summary, () =>
      ctx.out.pairs([
        ['users', summary.users.toLocaleString('en-US')],
        ['cafes', `${summary.cafes} (${summary.dishes} dishes)`],
        [
          'orders',
          `${summary.orders.toLocaleString('en-US')} (${summary.cancelledOrders.toLocaleString('en-US')} cancelled)`,
        ],
        ['items', summary.orderItems.toLocaleString('en-US')],
        ['seed', summary.seed],
        ['seconds', summary.seconds],
      ]),
    );
  });
}
