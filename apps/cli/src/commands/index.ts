import type { CommandModule } from '../program.ts';
import { dbCommands } from './db.ts';

/** Every command group of `mealwise`, in help order. */
export const commandModules: CommandModule[] = [dbCommands];
