import type { Writable } from 'node:stream';
import winston from 'winston';
import { Redactor } from './redact.ts';

export type Logger = winston.Logger;

export type LogLevel = 'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug' | 'silly';

export interface LoggerOptions {
  /** Service name written on every line (`api`, `worker`, `cli`, ...). */
  service: string;
  level?: LogLevel;
  /** Values that must never appear in a log line (API keys, tokens). */
  secrets?: Iterable<string>;
  /** Where JSON lines go; stdout by default. Tests pass a stream to capture them. */
  stream?: Writable;
  /** Extra fields on every line. */
  defaultMeta?: Record<string, unknown>;
  silent?: boolean;
}

// winston keeps level/message under symbols as well as plain keys; redact every enumerable
// field except the symbols and re-attach them untouched.
const redactFormat = (redactor: Redactor) =>
  winston.format((info) => {
    const redacted = redactor.redact({ ...info }) as Record<string, unknown>;
    for (const [k, v] of Object.entries(redacted)) (info as Record<string, unknown>)[k] = v;
    return info;
  })();

/**
 * A winston logger writing one JSON object per line:
 * `{"level":"info","message":"...","service":"worker","time":"...", ...fields}`.
 * Use `logger.child({ module: 'key-pool' })` per module and pass a correlation id
 * (`jobId`, `requestId`) in the child's fields.
 */
export function createLogger(options: LoggerOptions): Logger {
  const redactor = new Redactor(options.secrets);
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: { service: options.service, ...options.defaultMeta },
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      winston.format.timestamp({ alias: 'time' }),
      redactFormat(redactor),
      winston.format.json(),
    ),
    transports: [transport],
  });
}

/** A logger that writes nothing: the default for packages whose caller passed none. */
export function silentLogger(): Logger {
  return winston.createLogger({
    silent: true,
    transports: [new winston.transports.Console({ silent: true })],
  });
}
