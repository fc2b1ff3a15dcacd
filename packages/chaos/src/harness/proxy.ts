// A TCP proxy in front of a dependency (PostgreSQL in scenario 3), so a scenario can make it
// unreachable without touching the shared cluster. `cut(mode)`:
// - `refuse`: open connections reset, the port closes (ECONNREFUSED) — a stopped server;
// - `blackhole`: open connections reset, new ones accepted but never answered;
// - `drop`: a firewall dropping packets — open connections freeze (nothing passes either way,
//   nothing is closed) and new ones are accepted but never answered.
// `restore()` lets traffic through again; frozen connections resume where they stopped, as TCP
// retransmission resumes a connection once a partition heals.
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@mealwise/testing';

export type CutMode = 'refuse' | 'blackhole' | 'drop';

export interface TcpProxy {
  port: number;
  /** `host:port` to put in a URL instead of the target's. */
  address: string;
  readonly state: 'open' | CutMode;
  /** Connections accepted since start. */
  readonly connections: number;
  cut(mode?: CutMode): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const swallowed = new Set<Socket>();
  let state: 'open' | CutMode = 'open';
  let connections = 0;
  let server: Server | undefined;

  const onConnection = (client: Socket) => {
    connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (state !== 'open') {
      // accepted, never answered
      swallowed.add(client);
      client.on('close', () => swallowed.delete(client));
      return;
    }
    const upstream = createConnection(target);
    const pair = { client, upstream };
    pairs.add(pair);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      pairs.delete(pair);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = async () => {
    server = createServer(onConnection);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
  };
  const unlisten = async () => {
    if (!server) return;
    const s = server;
    server = undefined;
    s.close();
    for (const sock of sockets) sock.destroy();
    await once(s, 'close');
  };
  await listen();

  return {
    port,
    address: `127.0.0.1:${port}`,
    get state() {
      return state;
    },
    get connections() {
      return connections;
    },
    async cut(mode: CutMode = 'refuse') {
      state = mode;
      if (mode === 'drop') {
        for (const { client, upstream } of pairs) {
          client.unpipe(upstream);
          upstream.unpipe(client);
          client.pause();
          upstream.pause();
        }
        return;
      }
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      if (mode === 'refuse') await unlisten();
    },
    async restore() {
      // Connections accepted during the cut were never answered: their clients gave up.
      for (const sock of swallowed) sock.destroy();
      swallowed.clear();
      if (state === 'drop') {
        for (const { client, upstream } of pairs) {
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
          upstream.resume();
        }
      }
      state = 'open';
      if (!server) await listen();
    },
    close: unlisten,
  };
}
