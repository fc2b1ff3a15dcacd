import { Command, CommanderError } from 'commander';
import type { CliConfig } from './config.ts';
import { CliContext } from './context.ts';
import { EXIT_USAGE, UsageError } from './errors.ts';
import { Output } from './output.ts';

export interface ProgramIo {
  config: CliConfig;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
}

/** Options every command gets. */
export interface CommonOptions {
  json?: boolean;
}

export type Action<A extends unknown[], O> = (
  ctx: CliContext,
  opts: O & CommonOptions,
  ...args: A
) => Promise<void>;

/** What command modules receive to register themselves. */
export interface Registrar {
  /**
   * Adds `--json` to `cmd` and sets its action: builds a context, runs `action`, closes the
   * context. Returns the command for chaining.
   */
  action<A extends unknown[], O>(cmd: Command, action: Action<A, O>): Command;
}

export type CommandModule = (program: Command, r: Registrar) => void;

/** Sets the process exit code a run ended with (usage errors 2, failures 1, config 78). */
export class ExitCode {
  code = 0;
}

export function buildProgram(io: ProgramIo, modules: CommandModule[], exit: ExitCode): Command {
  const stdout = io.stdout ?? ((s) => process.stdout.write(s));
  const stderr = io.stderr ?? ((s) => process.stderr.write(s));
  const program = new Command('mealwise')
    .description('Operate mealwise: database, statistics, Gemini key pool, batches, recommendations')
    .showHelpAfterError()
    .configureOutput({ writeOut: stdout, writeErr: stderr })
    .exitOverride();

  const registrar: Registrar = {
    action(cmd, action) {
      cmd.option('--json', 'print machine-readable JSON').showHelpAfterError().exitOverride();
      cmd.configureOutput({ writeOut: stdout, writeErr: stderr });
      cmd.action(async (...raw: unknown[]) => {
        // Commander passes: ...positional args, options, the command itself.
        const command = raw.pop() as Command;
        const opts = raw.pop() as CommonOptions;
        const ctx = new CliContext(io.config, new Output({ json: Boolean(opts.json), write: stdout }), {
          write: stderr,
          // A caller-supplied stderr (tests) is never a terminal.
          isTTY: !io.stderr && Boolean(process.stderr.isTTY),
        });
        try {
          await action(ctx, opts as never, ...(raw as never));
        } catch (err) {
          if (err instanceof UsageError) {
            stderr(`error: ${err.message}\n\n`);
            command.outputHelp({ error: true });
            exit.code = EXIT_USAGE;
          } else {
            throw err;
          }
        } finally {
          await ctx.close();
        }
      });
      return cmd;
    },
  };
  for (const register of modules) register(program, registrar);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: ProgramIo, modules: CommandModule[]): Promise<number> {
  const exit = new ExitCode();
  const program = buildProgram(io, modules, exit);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Asked-for help and version are successes; everything else is bad usage — including
      // `commander.help`, which is a command group called without its subcommand.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : EXIT_USAGE;
    }
    throw err;
  }
}
