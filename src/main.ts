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
  logger.info(
    { url: running.url, pid: process.pid, database: config.databaseUrl.split('@').pop(), docs: `${running.url}/docs` },
    'listening',
  );
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
