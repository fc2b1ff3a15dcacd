import type { CommandModule } from '../program.ts';
import { dbCommands } from './db.ts';
import { poolCommands } from './pool.ts';

/** Every command group of `mealwise`, in help order. */
export const commandModules: CommandModule[] = [dbCommands, poolCommands];
