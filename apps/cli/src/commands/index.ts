import type { CommandModule } from '../program.ts';
import { dbCommands } from './db.ts';
import { statsCommands } from './stats.ts';
import { usersCommands } from './users.ts';

/** Every command group of `mealwise`, in help order. */
export const commandModules: CommandModule[] = [dbCommands, statsCommands, usersCommands];
