import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * Streams text-format rows into `COPY … FROM STDIN`. `chunks` yields already-encoded rows
 * (lines ending in \n), ideally thousands per string: one stream write per row would cost more
 * than the row itself. Backpressure comes from `pipeline`, so memory stays at a few chunks.
 */
export async function copyInto(
  client: pg.ClientBase,
  statement: string,
  chunks: Iterable<string> | AsyncIterable<string>,
): Promise<void> {
  const sink = client.query(copyFrom(statement));
  await pipeline(Readable.from(chunks, { objectMode: false }), sink);
}

/** Escapes a value for COPY's text format (backslash, tab, newline, carriage return). */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}
