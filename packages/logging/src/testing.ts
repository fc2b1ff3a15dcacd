// Test support (import from '@mealwise/logging/testing'): a real logger (redaction and format
// included) whose output a test can read back, instead of a mock that would skip the format.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from './logger.ts';

export interface CapturedLogger {
  logger: Logger;
  /** Every line as written: what a secret-leak check must search. */
  raw: string[];
  /** The same lines, parsed. */
  lines: Record<string, unknown>[];
}

/** A debug-level logger for service `test` that keeps what it writes. */
export function captureLogger(): CapturedLogger {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logger: createLogger({ service: 'test', level: 'debug', stream }), raw, lines };
}
