import { PassThrough } from 'node:stream';
import { type EmulatorConfigInput, type EmulatorHandle, startEmulator } from '@mealwise/gemini-emulator';
import { createLogger } from '@mealwise/logging';
import { RecommendationGenerator, type RecommendationGeneratorOptions } from '../../src/index.ts';
import { type FakeKey, FakeKeySource, makeKeys } from './fake-key-source.ts';

export interface Harness {
  emulator: EmulatorHandle;
  pool: FakeKeySource;
  keys: FakeKey[];
  generator: RecommendationGenerator;
  /** Backoff delays the generator asked for (sleep is injected: tests never wait for real). */
  sleeps: number[];
  /** JSON log lines written by the generator. */
  logs: string[];
  close(): Promise<void>;
}

export const MODEL = 'gemini-2.5-flash-lite';
export const FALLBACK = 'gemini-2.5-flash';

/** A real emulator on a real socket, a fake pool over `keys`, and a generator wired to both. */
export async function harness(
  options: {
    keys?: FakeKey[];
    emulator?: EmulatorConfigInput;
    generator?: Partial<RecommendationGeneratorOptions>;
  } = {},
): Promise<Harness> {
  const keys = options.keys ?? makeKeys(3);
  const emulator = await startEmulator({
    keys: Object.fromEntries(keys.map((k) => [k.key, { project: k.project }])),
    models: { [MODEL]: { rpm: 1000, rpd: 10_000 }, [FALLBACK]: { rpm: 1000, rpd: 10_000 } },
    ...options.emulator,
  });
  const pool = new FakeKeySource(keys);
  const sleeps: number[] = [];
  const logs: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (b: Buffer) => logs.push(...b.toString().split('\n').filter(Boolean)));
  const generator = new RecommendationGenerator({
    keys: pool,
    model: MODEL,
    baseUrl: emulator.url,
    timeoutMs: 5_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    logger: createLogger({ service: 'test', stream, level: 'debug' }),
    ...options.generator,
  });
  return { emulator, pool, keys, generator, sleeps, logs, close: () => emulator.close() };
}
