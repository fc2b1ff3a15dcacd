import type { Stack } from '../../src/harness/index.ts';

/** One API request made during a fault: when it left, its status (0: no answer at all), how long it took. */
export interface Probe {
  t: number;
  status: number;
  ms: number;
}

export interface ProbeOptions {
  headers?: Record<string, string>;
  /** A hang is what is being looked for: past this the request counts as status 0. */
  timeoutMs: number;
  /** Which answers' bodies go to the secrets scan (error bodies are where a leak would show). */
  note: (status: number) => boolean;
}

/** GETs `path` on the API at `baseUrl` and appends the outcome to `into`; never throws. */
export async function probe(stack: Stack, baseUrl: string, path: string, into: Probe[], o: ProbeOptions) {
  const t = Date.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      headers: o.headers ?? {},
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    const body = await res.text();
    if (o.note(res.status)) stack.noteText(`api ${path} ${res.status}`, body);
    into.push({ t, status: res.status, ms: Date.now() - t });
  } catch {
    into.push({ t, status: 0, ms: Date.now() - t });
  }
}
