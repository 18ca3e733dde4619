import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import type { Drain } from './drain.js';

/**
 * After the drain, how long connections get to end on their own: a final event or an answer queued behind it on a
 * kept-alive connection may still be on its way out. Whatever is still open then is cut.
 */
const SETTLE_MS = 1_000;
const SWEEP_MS = 50;

/**
 * A graceful stop: no new connection, the running answers drained (see Drain), then the connections left closed
 * and `cleanUp` run (the database last).
 */
export async function stopServer(
  server: Server,
  drain: Drain,
  options: { timeoutMs: number; cleanUp: () => Promise<void>; logger: Logger },
): Promise<void> {
  const { logger } = options;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  logger.info('stopped accepting connections');
  await drain.drain(options.timeoutMs);
  // A kept-alive connection goes idle only once its last answer is flushed: sweep until all are gone.
  const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
  try {
    await Promise.race([closed, delay(SETTLE_MS, undefined, { ref: false })]);
  } finally {
    clearInterval(sweep);
  }
  server.closeAllConnections();
  await closed;
  logger.info('connections closed');
  await options.cleanUp();
  logger.info('closed the database and the links to other processes');
}
