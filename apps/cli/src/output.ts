import Table from 'cli-table3';

/** Human tables on a terminal, one JSON document with `--json`. Results go to stdout only. */
export class Output {
  readonly json: boolean;
  readonly #write: (s: string) => void;

  constructor(options: { json: boolean; write?: (s: string) => void }) {
    this.json = options.json;
    this.#write = options.write ?? ((s) => process.stdout.write(s));
  }

  /** Prints `data` as JSON with --json, otherwise calls `human` to print it for people. */
  result(data: unknown, human: () => void): void {
    if (this.json) this.#write(`${JSON.stringify(data, null, 2)}\n`);
    else human();
  }

  line(text = ''): void {
    this.#write(`${text}\n`);
  }

  table(head: string[], rows: (string | number | null | undefined)[][]): void {
    const t = new Table({ head, style: { head: [], border: [] } });
    for (const r of rows) t.push(r.map((c) => (c === null || c === undefined ? '-' : String(c))));
    this.line(t.toString());
  }

  /** `key: value` pairs, aligned. */
  pairs(entries: [string, unknown][]): void {
    const width = Math.max(...entries.map(([k]) => k.length));
    for (const [k, v] of entries)
      this.line(`${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
}
