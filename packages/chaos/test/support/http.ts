import { connect } from 'node:net';

export interface RawAnswer {
  /** Everything the server wrote before closing (or before `waitMs`). */
  text: string;
  status: number | null;
  /** The server closed the connection (FIN or reset) rather than leaving it open. */
  closed: boolean;
  /** The connection was reset (RST) instead of closed cleanly. */
  reset: boolean;
}

/**
 * Writes `chunks` to a fresh TCP connection (each chunk as it comes; a write error after the server
 * answered is expected when it stops reading) and collects the answer until the server closes or
 * `waitMs` passes.
 */
export function rawExchange(base: string, chunks: (string | Buffer)[], waitMs = 10_000): Promise<RawAnswer> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    const got: Buffer[] = [];
    let reset = false;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(got).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : null, closed, reset });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (b: Buffer) => got.push(b));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') reset = true;
    });
    socket.on('close', () => finish(true));
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        const ok = socket.write(c);
        if (!ok) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
    });
  });
}
