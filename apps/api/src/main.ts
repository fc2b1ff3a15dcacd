// Composition root of the API (`pnpm api`): parses the environment once, builds the services,
// listens, and shuts down gracefully on SIGTERM/SIGINT. Exit codes: 0 stopped cleanly,
// 1 failed to start or forced, 78 invalid configuration.
import { formatStartupError } from '@mealwise/config';
import { createLogger } from '@mealwise/logging';
import { createApp } from './app.ts';
import { compose } from './compose.ts';
import { loadApiEnv, secretsOf } from './config.ts';
import { listen } from './server.ts';

try {
  const env = loadApiEnv(process.env);
  const logger = createLogger({ service: 'api', level: env.LOG_LEVEL, secrets: secretsOf(env) });
  const services = compose(env, logger);
  const app = createApp(services.deps);
  if (!(await services.connected(5_000)))
    logger.warn('Redis is not reachable yet; starting anyway (see /readyz)');
  const server = await listen({ listener: app.listener, port: env.API_PORT, host: env.API_HOST, logger });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal during shutdown: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal, timeoutMs: env.API_SHUTDOWN_TIMEOUT_MS });
    app.readiness.drain();
    const { cut } = await server.close(env.API_SHUTDOWN_TIMEOUT_MS);
    if (cut > 0) logger.warn('connections cut at the shutdown deadline', { cut });
    await services.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
} catch (err) {
  const { message, exitCode } = formatStartupError(err);
  process.stderr.write(`mealwise api: ${message}\n`);
  process.exit(exitCode);
}
