import cluster from 'node:cluster';
import { ConfigError, loadConfig, loadDotEnv } from './config/config.js';
import { runPrimary } from './cluster/run-primary.js';
import { exposureWarning } from './config/exposure.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

try {
  loadDotEnv();
  const config = loadConfig();
  const warning = exposureWarning(config);
  if (warning && cluster.isPrimary) createLogger(config.logLevel).warn({ host: config.host }, warning);
  if (config.workers > 1 && cluster.isPrimary) await runPrimary(config);
  else await serve(config);
} catch (error) {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
}

async function serve(config: ReturnType<typeof loadConfig>) {
  const running = await startServer(config);
  const { logger } = running.services;
  let stopping: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    // The same signal again (a second Ctrl-C) cancels what still runs. Another one is ignored: under WORKERS a
    // Ctrl-C reaches a worker both from the terminal (SIGINT) and from the primary (SIGTERM).
    if (stopping) {
      if (signal === stopping) {
        logger.warn({ signal }, 'asked again: cancelling the running answers now');
        running.hurry();
      }
      return;
    }
    stopping = signal;
    logger.info({ signal, timeout_ms: config.shutdownTimeoutMs }, 'shutting down');
    running.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Only now: a process manager (or a test) that signals once it reads this line must find the handlers in place.
  logger.info(
    { url: running.url, pid: process.pid, database: config.databaseUrl.split('@').pop(), docs: `${running.url}/docs` },
    'listening',
  );
}
