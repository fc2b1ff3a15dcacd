import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@mealwise/logging';

export interface ServerOptions {
  listener: RequestListener;
  port: number;
  host: string;
  logger: Logger;
}

export interface ListeningServer {
  server: Server;
  port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `timeoutMs`, then cuts
   * whatever is left. Resolves with how many connections were still open at the deadline.
   */
  close(timeoutMs: number): Promise<{ cut: number }>;
}

export async function listen(options: ServerOptions): Promise<ListeningServer> {
  const server = createServer(
    {
      // Slow-loris bounds: a client must send its headers within 10 s and a request within 30 s.
      headersTimeout: 10_000,
      requestTimeout: 30_000,
    },
    options.listener,
  );
  // Longer than a typical load balancer's idle timeout (60 s), so it closes first, never us mid-request.
  server.keepAliveTimeout = 65_000;
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  options.logger.info('listening', { port, host: options.host });

  return {
    server,
    port,
    close: async (timeoutMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() drops idle keep-alive connections once; connections whose request finishes later
      // become idle afterwards and are dropped by this sweep.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      let cut = 0;
      const deadline = setTimeout(() => {
        server.getConnections((_err, count) => {
          cut = count;
        });
        server.closeAllConnections();
      }, timeoutMs);
      try {
        await closed;
      } finally {
        clearInterval(sweep);
        clearTimeout(deadline);
      }
      return { cut };
    },
  };
}
