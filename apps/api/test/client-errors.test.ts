import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@mealwise/logging';
import { type ListeningServer, listen } from '../src/server.ts';

// Requests refused by Node's HTTP parser, before any handler: the chaos suite's fuzz found them
// answered with a bare status line (no body, no content type) instead of the API's JSON errors.
let srv: ListeningServer;

beforeAll(async () => {
  srv = await listen({
    // `/slow` answers later, like a handler awaiting Redis: the parser meanwhile reads on.
    listener: (req, res) => (req.url === '/slow' ? setTimeout(() => res.end('ok'), 100) : res.end('ok')),
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger(),
  });
});

afterAll(async () => {
  await srv.close(100);
});

function exchange(raw: string): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(srv.port, '127.0.0.1');
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(got).toString(), closed: false });
    }, 3_000);
    socket.on('data', (b: Buffer) => got.push(b));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(got).toString(), closed: true });
    });
    socket.write(raw);
  });
}

describe('requests the HTTP parser refuses', () => {
  it.each([
    [
      'headers over 16 kB',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    ['a malformed request line', 'GET / HTTP/9.9 nonsense\r\n\r\n', 400, 'BAD_REQUEST'],
    // A TRACE whose client sent bytes after it (node:http does, for a TRACE "with a body"): they are
    // parsed as a next request, which is garbage. The fuzz met a bare 400 on Bull Board's routes.
    ['bytes after a request', 'TRACE /slow HTTP/1.1\r\nHost: x\r\n\r\n ', 400, 'BAD_REQUEST'],
    ['an invalid header name', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400, 'BAD_REQUEST'],
  ])('%s: the JSON error shape, then the connection is closed', async (_what, raw, status, code) => {
    const r = await exchange(raw);
    expect(r.closed).toBe(true);
    const [head, body] = r.text.split('\r\n\r\n') as [string, string];
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head.toLowerCase()).toContain('content-type: application/json; charset=utf-8');
    expect(head.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
    expect(JSON.parse(body)).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('the server still answers afterwards', async () => {
    const r = await exchange('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(r.text).toMatch(/^HTTP\/1\.1 200 /);
  });
});
