import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ConfigPatch, type EmulatorConfig, type EmulatorConfigInput, parseConfig } from './config.ts';
import { Emulator, type EmulatorStats } from './emulator.ts';

export interface EmulatorOptions {
  /** 0 (default) = any free port. */
  port?: number;
  host?: string;
  /** Clock for quotas and stats (tests inject one to cross minutes and Pacific days). */
  clock?: () => number;
}

export interface EmulatorHandle {
  /** e.g. `http://127.0.0.1:43123` — pass as the SDK's `httpOptions.baseUrl`. */
  url: string;
  port: number;
  readonly config: EmulatorConfig;
  stats(): EmulatorStats;
  reset(): void;
  /** Same as `POST /_emulator/config`. */
  configure(patch: ConfigPatch): void;
  close(): Promise<void>;
}

/** Starts a Gemini emulator on a real socket (127.0.0.1 unless `host` says otherwise). */
export async function startEmulator(
  config: EmulatorConfigInput | EmulatorConfig = {},
  options: EmulatorOptions = {},
): Promise<EmulatorHandle> {
  const emulator = new Emulator(parseConfig(config), options.clock ?? Date.now);
  const server = createServer(
    {
      keepAlive: true,
      // A hung request must stay open until the client gives up; Node's default would cut it at 300 s.
      requestTimeout: 0,
      // Longer than undici's 4 s keep-alive so the client, not the server, closes idle sockets.
      keepAliveTimeout: 65_000,
    },
    (req, res) => emulator.handle(req, res),
  );
  server.maxHeadersCount = 100;
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1', 1024);
  await once(server, 'listening');
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    get config() {
      return emulator.config;
    },
    stats: () => emulator.stats(),
    reset: () => emulator.reset(),
    configure: (patch) => emulator.configure(patch),
    close: async () => {
      emulator.dropHanging();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
