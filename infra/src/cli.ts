import { commandModules } from '@mealwise/cli/src/commands/index.ts';
import { cliConfig } from '@mealwise/cli/src/config.ts';
import { buildProgram, ExitCode } from '@mealwise/cli/src/program.ts';
import type { Command } from 'commander';

/** The `mealwise` command tree as the CLI builds it (nothing runs, nothing connects). */
function program(): Command {
  return buildProgram(
    { config: cliConfig({}), stdout: () => {}, stderr: () => {} },
    commandModules,
    new ExitCode(),
  );
}

/**
 * Whether `words` (e.g. `['pool', 'reset-invalid', 'abc']`) names a real command: the longest
 * prefix of subcommands must end on a leaf, and what follows must be its options and arguments.
 */
export function isCliCommand(words: string[]): boolean {
  let cmd = program();
  let i = 0;
  for (; i < words.length; i++) {
    const next = cmd.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i] as string));
    if (!next) break;
    cmd = next;
  }
  if (i === 0 || cmd.commands.length > 0) return false;
  // Commander's own option parsing tells option values from positional arguments.
  const { operands, unknown } = cmd.parseOptions(words.slice(i));
  const args = cmd.registeredArguments;
  const required = args.filter((a) => a.required).length;
  return (
    unknown.length === 0 &&
    operands.length >= required &&
    (args.some((a) => a.variadic) || operands.length <= args.length)
  );
}
