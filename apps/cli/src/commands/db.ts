import { ensureDatabase, migrateToLatest } from '@mealwise/db';
import type { CommandModule } from '../program.ts';
import { registerSeed } from './seed.ts';

export const dbCommands: CommandModule = (program, r) => {
  const db = program.command('db').description('orders database: migrations and demo data');

  r.action(
    db.command('migrate').description('create the database if missing, then migrate it'),
    async (ctx) => {
      // A fresh machine has no `mealwise` database yet: create it instead of failing to connect.
      await ensureDatabase(ctx.config.database().DATABASE_URL);
      const { applied } = await migrateToLatest(ctx.db());
      ctx.out.result({ applied }, () =>
        ctx.out.line(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date'),
      );
    },
  );

  registerSeed(db, r);
};
