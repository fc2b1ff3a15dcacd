import { readFileSync } from 'node:fs';

/** Resident set size of a process, MiB, from /proc/<pid>/status (VmRSS). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

export interface RssSample {
  /** Seconds since sampling started. */
  t: number;
  mib: number;
}

/** Samples a process's RSS every `intervalMs` until `stop()`. */
export function sampleRss(pid: number, intervalMs = 1_000): { samples: RssSample[]; stop(): RssSample[] } {
  const samples: RssSample[] = [];
  const t0 = performance.now();
  const take = () => {
    try {
      samples.push({ t: (performance.now() - t0) / 1_000, mib: rssMiB(pid) });
    } catch {
      // the process is gone: the test's liveness check reports it
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export interface RssWindow {
  /** Median RSS of the samples in the first 5 s of the window, MiB. */
  startMiB: number;
  /** Median RSS of the samples in the last 5 s of the window, MiB. */
  endMiB: number;
  /** endMiB - startMiB. */
  growthMiB: number;
  /** Least-squares slope over the window, MiB per minute. */
  slopeMiBPerMin: number;
  /** Largest minus smallest sample in the window, MiB. */
  spreadMiB: number;
  samples: number;
}

/** RSS growth over the last `seconds` of `samples` (medians of 5 s at each end, so one GC step is not a trend). */
export function rssWindow(samples: RssSample[], seconds: number): RssWindow {
  const end = samples.at(-1)?.t ?? 0;
  const w = samples.filter((s) => s.t >= end - seconds);
  const first = w.filter((s) => s.t <= end - seconds + 5).map((s) => s.mib);
  const last = w.filter((s) => s.t >= end - 5).map((s) => s.mib);
  const n = w.length;
  const mt = w.reduce((a, s) => a + s.t, 0) / n;
  const mm = w.reduce((a, s) => a + s.mib, 0) / n;
  const cov = w.reduce((a, s) => a + (s.t - mt) * (s.mib - mm), 0);
  const vt = w.reduce((a, s) => a + (s.t - mt) ** 2, 0);
  const mibs = w.map((s) => s.mib);
  const startMiB = median(first);
  const endMiB = median(last);
  return {
    startMiB,
    endMiB,
    growthMiB: endMiB - startMiB,
    slopeMiBPerMin: vt > 0 ? (cov / vt) * 60 : 0,
    spreadMiB: Math.max(...mibs) - Math.min(...mibs),
    samples: n,
  };
}
