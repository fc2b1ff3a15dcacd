// A TCP proxy in front of a dependency (PostgreSQL in scenario 3), so a scenario can make it
// unreachable without touching the shared cluster: `cut()` drops every open connection and then
// either refuses new ones (the port closes: ECONNREFUSED) or swallows them (accepted, never
// answered: what a dead network path looks like). `restore()` lets traffic through again.
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@mealwise/testing';

export type CutMode = 'refuse' | 'blackhole';

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
  let state: 'open' | CutMode = 'open';
  let connections = 0;
  let server: Server | undefined;

  const onConnection = (client: Socket) => {
    connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (state === 'blackhole') return; // accepted, never answered
    const upstream = createConnection(target);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
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
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      if (mode === 'refuse') await unlisten();
    },
    async restore() {
      // Swallowed connections stay dead (their clients will time out and reconnect).
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      state = 'open';
      if (!server) await listen();
    },
    close: unlisten,
  };
}
