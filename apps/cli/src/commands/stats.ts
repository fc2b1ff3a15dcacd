import { StatsService } from '@mealwise/stats';
import { daysArg, tgidArg } from '../args.ts';
import type { CommandModule } from '../program.ts';

const pct = (share: number) => `${Math.round(share * 100)} %`;

/** `stats <tgid> [--days N]`: one user's order statistics, as the nightly batch computes them. */
export const statsCommands: CommandModule = (program, r) => {
  const cmd = program
    .command('stats')
    .description("one user's order statistics (cancelled orders never count)")
    .argument('<tgid>', 'Telegram id of the user', tgidArg)
    .option('--days <n>', 'window in days, 1..365 (default: RECS_DAYS, 30)', daysArg);
  r.action<[number], { days?: number }>(cmd, async (ctx, opts, tgid) => {
    const days = opts.days ?? ctx.config.recs().RECS_DAYS;
    const stats = await new StatsService(ctx.db()).getUserStats(tgid, { days });
    ctx.out.result({ tgid, days, stats }, () => {
      const c = stats.categories;
      ctx.out.pairs([
        ['user', tgid],
        ['window', `last ${days} days`],
        ['orders', stats.orders_count],
        [
          'categories',
          `soup ${pct(c.soup)}, salad ${pct(c.salad)}, main ${pct(c.main)}, extra ${pct(c.extra)}`,
        ],
        ['unique dishes', `${stats.unique_dishes} of ${stats.total_dishes_available} available`],
      ]);
      if (stats.favorite_dishes.length) {
        ctx.out.line();
        ctx.out.table(
          ['favourite', 'count'],
          stats.favorite_dishes.map((d) => [d.name, d.count]),
        );
      }
      if (stats.untried_dishes.length) {
        ctx.out.line();
        ctx.out.table(
          ['not tried yet', 'category'],
          stats.untried_dishes.map((d) => [d.name, d.category]),
        );
      }
    });
  });
};
