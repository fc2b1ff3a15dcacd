import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
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
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) =>
    refuseMalformed(err, socket, options.logger),
  );
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

// Requests Node's parser refuses before any handler runs (headers over 16 kB, a malformed request
// line, a body on a TRACE, a slow-loris timeout). Node's own answer is a bare status line; the API
// promises its JSON error shape on every error (found by the chaos suite's hostile-input fuzz).
const CLIENT_ERRORS: Record<string, [status: number, code: string, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'PAYLOAD_TOO_LARGE', 'request body is too large'],
};

function refuseMalformed(err: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [
    400,
    'BAD_REQUEST',
    'malformed HTTP request',
  ];
  const body = JSON.stringify({ error: { code, message } });
  const requestId = randomUUID();
  logger.debug('malformed request refused', { status, parserError: err.code, requestId });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'cache-control: no-store\r\nx-content-type-options: nosniff\r\n' +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}
