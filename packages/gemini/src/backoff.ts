export interface BackoffOptions {
  /** First delay's upper bound, ms (default 500). */
  minMs?: number;
  /** Cap, ms (default 8000). */
  maxMs?: number;
}

/** "Full jitter" exponential backoff: uniform in [0, min(max, min·2^(n-1))], at least 1/4 of it. */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number): number {
  const min = options.minMs ?? 500;
  const max = options.maxMs ?? 8000;
  const ceiling = Math.min(max, min * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling * (0.25 + 0.75 * random()));
}

/** setTimeout as a promise that rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
