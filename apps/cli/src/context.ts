import type { Database } from '@mealwise/db';
import { createDb } from '@mealwise/db';
import { createLogger, type Logger } from '@mealwise/logging';
import { closeRedis, createRedis, type Redis } from '@mealwise/redis';
import type { Kysely } from 'kysely';
import type { CliConfig } from './config.ts';
import type { Output } from './output.ts';

/**
 * What a command may use, built on first use and closed once when the command ends — the CLI's
 * composition root. Commands never open connections themselves.
 */
export class CliContext {
  readonly config: CliConfig;
  readonly out: Output;
  /** Diagnostics and progress: stderr, so stdout stays the command's result. */
  readonly err: (s: string) => void;
  /** stderr is a terminal (progress bars may redraw it). */
  readonly errIsTTY: boolean;
  #logger: Logger | undefined;
  #db: Kysely<Database> | undefined;
  #redis: Redis | undefined;
  readonly #closers: (() => Promise<void>)[] = [];

  constructor(
    config: CliConfig,
    out: Output,
    err: { write: (s: string) => void; isTTY: boolean } = {
      write: (s) => process.stderr.write(s),
      isTTY: Boolean(process.stderr.isTTY),
    },
  ) {
    this.config = config;
    this.out = out;
    this.err = err.write;
    this.errIsTTY = err.isTTY;
  }

  get logger(): Logger {
    // Logs go to stderr so `--json` output on stdout stays machine-readable.
    this.#logger ??= createLogger({
      service: 'cli',
      level: this.config.log().LOG_LEVEL,
      stream: process.stderr,
    });
    return this.#logger;
  }

  db(): Kysely<Database> {
    if (!this.#db) {
      const db = createDb({
        connectionString: this.config.database().DATABASE_URL,
        max: 4,
        applicationName: 'mealwise-cli',
      });
      this.#db = db;
      this.onClose(() => db.destroy());
    }
    return this.#db;
  }

  redis(): Redis {
    if (!this.#redis) {
      const redis = createRedis(this.config.redis().REDIS_URL, {
        role: 'command',
        name: 'mealwise:cli',
        logger: this.logger,
      });
      this.#redis = redis;
      this.onClose(() => closeRedis(redis));
    }
    return this.#redis;
  }

  /** Registers cleanup for a resource a command module built (closed in reverse order). */
  onClose(fn: () => Promise<void>): void {
    this.#closers.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.#closers.reverse()) {
      try {
        await fn();
      } catch {
        // Closing is best effort: the command's own result has already been printed.
      }
    }
    this.#closers.length = 0;
  }
}
