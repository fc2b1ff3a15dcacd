#!/usr/bin/env node
// Composition root of the `mealwise` command: reads the environment once and hands it to the
// command modules. Exit codes: 0 ok, 1 failure, 2 usage, 78 invalid configuration.
import { formatStartupError } from '@mealwise/config';
import { commandModules } from './commands/index.ts';
import { cliConfig } from './config.ts';
import { runCli } from './program.ts';

try {
  process.exitCode = await runCli(process.argv.slice(2), { config: cliConfig(process.env) }, commandModules);
} catch (err) {
  const { message, exitCode } = formatStartupError(err);
  process.stderr.write(`mealwise: ${message}\n`);
  process.exitCode = exitCode;
}
