import { migrateToLatest } from '@mealwise/db';
import type { CommandModule } from '../program.ts';

export const dbCommands: CommandModule = (program, r) => {
  const db = program.command('db').description('orders database: migrations and demo data');

  r.action(db.command('migrate').description('bring the schema to the latest migration'), async (ctx) => {
    const { applied } = await migrateToLatest(ctx.db());
    ctx.out.result({ applied }, () =>
      ctx.out.line(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date'),
    );
  });
};
