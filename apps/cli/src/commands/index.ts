import type { CommandModule } from '../program.ts';
import { batchCommands } from './batch.ts';
import { dbCommands } from './db.ts';
import { poolCommands } from './pool.ts';
import { recsCommands } from './recs.ts';
import { statsCommands } from './stats.ts';
import { usersCommands } from './users.ts';

/** Every command group of `mealwise`, in help order. */
export const commandModules: CommandModule[] = [
  dbCommands,
  statsCommands,
  usersCommands,
  poolCommands,
  batchCommands,
  recsCommands,
];
