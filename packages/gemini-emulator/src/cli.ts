// `pnpm gemini-emulator --port P --config FILE [--seed N] [--latency-ms N] [--jitter-ms N]
// [--accept-unknown-keys] [--fractional-retry-delay]`: flags override the file. Prints
// "gemini-emulator listening on http://HOST:PORT" once it accepts connections.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EmulatorConfigError, parseConfig } from './config.ts';
import { startEmulator } from './server.ts';

const USAGE =
  'usage: gemini-emulator [--port P] [--host H] [--config FILE] [--seed N] [--latency-ms N] [--jitter-ms N] [--accept-unknown-keys] [--fractional-retry-delay]';

function fail(message: string, code = 2): never {
  console.error(`gemini-emulator: ${message}`);
  process.exit(code);
}

const int = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    fail(`--${name} must be a non-negative integer, got "${value}"\n${USAGE}`);
  return n;
};

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        config: { type: 'string' },
        seed: { type: 'string' },
        'latency-ms': { type: 'string' },
        'jitter-ms': { type: 'string' },
        'accept-unknown-keys': { type: 'boolean' },
        'fractional-retry-delay': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  }
  try {
    args = parse();
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
  const v = args.values;
  if (v.help) {
    console.log(USAGE);
    return;
  }
  let file: Record<string, unknown> = {};
  if (v.config) {
    try {
      file = JSON.parse(readFileSync(v.config, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      fail(`cannot read config ${v.config}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const latency = (file.latency ?? {}) as Record<string, number>;
  const raw = {
    ...file,
    ...(v.seed !== undefined ? { seed: int('seed', v.seed) } : {}),
    ...(v['accept-unknown-keys'] ? { acceptUnknownKeys: true } : {}),
    ...(v['fractional-retry-delay'] ? { fractionalRetryDelay: true } : {}),
    latency: {
      ...latency,
      ...(v['latency-ms'] !== undefined ? { baseMs: int('latency-ms', v['latency-ms']) } : {}),
      ...(v['jitter-ms'] !== undefined ? { jitterMs: int('jitter-ms', v['jitter-ms']) } : {}),
    },
  };
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(raw);
  } catch (err) {
    fail(err instanceof EmulatorConfigError ? err.message : String(err));
  }
  const emulator = await startEmulator(config, { port: int('port', v.port), host: v.host });
  console.log(
    `gemini-emulator listening on ${emulator.url} (${Object.keys(config.keys).length} keys, models: ${Object.keys(config.models).join(', ')})`,
  );
  const stop = async (signal: string) => {
    console.log(`gemini-emulator: ${signal}, closing`);
    await emulator.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

await main();
