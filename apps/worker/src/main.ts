#!/usr/bin/env node
// Composition root of a worker process: parses the environment once, builds every service, starts
// the workers and the scheduler, and stops gracefully on SIGTERM/SIGINT (exit 0).
import { formatStartupError } from '@mealwise/config';
import { createLogger } from '@mealwise/logging';
import { buildWorker } from './build.ts';
import { parseWorkerConfig } from './config.ts';

let config: ReturnType<typeof parseWorkerConfig>;
try {
  config = parseWorkerConfig(process.env);
} catch (err) {
  const { message, exitCode } = formatStartupError(err);
  process.stderr.write(`mealwise worker: ${message}\n`);
  process.exit(exitCode);
}

const logger = createLogger({
  service: 'worker',
  level: config.LOG_LEVEL,
  secrets: config.GEMINI_API_KEYS.keys.map((k) => k.key),
  defaultMeta: { pid: process.pid },
});
for (const warning of config.GEMINI_API_KEYS.warnings) logger.warn(`GEMINI_API_KEYS: ${warning}`);

const worker = await buildWorker(config, logger);
try {
  await worker.start();
} catch (err) {
  logger.error('worker failed to start', { error: err instanceof Error ? err.message : String(err) });
  await worker.close();
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('signal received', { signal });
    // A hard bound on top of the service's own: never outlive the orchestrator's grace period.
    setTimeout(() => {
      logger.error('shutdown bound exceeded; exiting');
      process.exit(1);
    }, config.WORKER_SHUTDOWN_TIMEOUT_MS + 2_000).unref();
    worker.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  });
}
