#!/usr/bin/env node
// Composition root of the `mealwise` command: reads the environment once and hands it to the
// command modules. Exit codes: 0 ok, 1 failure, 2 usage, 78 invalid configuration.
import { formatStartupError } from '@mealwise/config';
import { commandModules } from './commands/index.ts';
import { cliConfig } from './config.ts';
import { runCli } from './program.ts';

// `mealwise users active | head -1`: the reader went away; stop quietly, as Unix tools do,
// instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

try {
  const code = await runCli(process.argv.slice(2), { config: cliConfig(process.env) }, commandModules);
  // A command may have set process.exitCode itself (`recs show` on a miss, `batch status` of an
  // unknown run): runCli's 0 must not overwrite it.
  if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
} catch (err) {
  const { message, exitCode } = formatStartupError(err);
  process.stderr.write(`mealwise: ${message}\n`);
  process.exitCode = exitCode;
}
