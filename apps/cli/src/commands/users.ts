import { StatsService } from '@mealwise/stats';
import { daysArg, intArg } from '../args.ts';
import type { CommandModule } from '../program.ts';

interface ActiveOpts {
  minOrders?: number;
  days?: number;
  pageSize: number;
  count?: boolean;
}

/**
 * `users active`: the users the nightly batch would process. Streams page by page (keyset
 * pagination), so a million users never sit in memory: one tgid per line, or with --json one JSON
 * array written as the pages arrive. --count prints only how many.
 */
export const usersCommands: CommandModule = (program, r) => {
  const users = program.command('users').description('users of the ordering service');
  const active = users
    .command('active')
    .description('active users: is_active and at least --min-orders orders in the last --days days')
    .option(
      '--min-orders <n>',
      'orders needed (default: RECS_MIN_ORDERS, 5)',
      intArg('--min-orders', { min: 1, max: 100_000 }),
    )
    .option('--days <n>', 'window in days, 1..365 (default: RECS_DAYS, 30)', daysArg)
    .option(
      '--page-size <n>',
      'tgids fetched per query',
      intArg('--page-size', { min: 1, max: 10_000 }),
      1000,
    )
    .option('--count', 'print only the number of active users');
  r.action<[], ActiveOpts>(active, async (ctx, opts) => {
    const recs = ctx.config.recs();
    const minOrders = opts.minOrders ?? recs.RECS_MIN_ORDERS;
    const days = opts.days ?? recs.RECS_DAYS;
    const stats = new StatsService(ctx.db());
    if (opts.count) {
      const count = await stats.countActiveUsers({ minOrders, days });
      ctx.out.result({ count, min_orders: minOrders, days }, () => ctx.out.line(String(count)));
      return;
    }
    const pages = stats.activeUsers({ minOrders, days, pageSize: opts.pageSize });
    if (!ctx.out.json) {
      for await (const page of pages) ctx.out.line(page.join('\n'));
      return;
    }
    // A valid JSON array, streamed: hold one page back so the last element gets no comma.
    let held: number[] | undefined;
    for await (const page of pages) {
      ctx.out.line(held ? held.map((t) => `  ${t},`).join('\n') : '[');
      held = page;
    }
    if (!held) {
      ctx.out.line('[]');
      return;
    }
    const last = held;
    ctx.out.line(last.map((t, i) => `  ${t}${i === last.length - 1 ? '' : ','}`).join('\n'));
    ctx.out.line(']');
  });
};
