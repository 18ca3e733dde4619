import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/config.js';
import { parseDatabaseUrl } from '../db/database-url.js';
import { openDatabase } from '../startup/open-database.js';
import { createEventBus } from '../event-store/event-bus.js';
import { createLogger } from '../logger.js';
import { createEventStores } from '../startup/event-stores.js';
import { sweepAbandoned } from '../chat/sweep-abandoned.js';
import { relaySignals } from './relay-signals.js';
import { isInstanceStarted, type PrimaryMessage } from './worker-messages.js';

/** A worker that dies sooner than this after its start is restarted after a pause, not in a tight loop. */
const EARLY_DEATH_MS = 5_000;
const RESTART_PAUSE_MS = 1_000;
/** Workers still running this long after their drain's deadline (SHUTDOWN_TIMEOUT_MS) are killed. */
const SHUTDOWN_GRACE_MS = 15_000;

/**
 * The cluster's primary: prepares the database once (migrations, new projectors, answers cut off by the last
 * run), then runs `config.workers` workers on the one port, relays their signals and replaces any that dies.
 */
export async function runPrimary(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel).child({ role: 'primary' });
  const db = await openDatabase(config.databaseUrl, (message) => logger.info(message));
  try {
    // On SQLite every process of the last run is gone (this primary owned them all); on PostgreSQL other
    // instances may be generating answers right now.
    const survivors =
      parseDatabaseUrl(config.databaseUrl).kind === 'sqlite'
        ? { alone: true as const, instanceId: 'primary' }
        : { alone: false as const };
    const eventStoreOn = createEventStores(createEventBus(), () => new Date());
    const store = () => eventStoreOn(db.em());
    await sweepAbandoned(store, survivors, logger, { repeat: false });
  } finally {
    await db.close();
  }
  relaySignals();

  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const instanceOf = new Map<Worker, string>();
  const fork = () => startedAt.set(cluster.fork(), Date.now());
  cluster.on('message', (worker, message: unknown) => {
    if (isInstanceStarted(message)) instanceOf.set(worker, message.instanceId);
  });
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    const instanceId = instanceOf.get(worker);
    instanceOf.delete(worker);
    // The siblings need not wait for its heartbeat to run out: the answers it was generating are over.
    if (instanceId) {
      const gone: PrimaryMessage = { kind: 'assistant-instance-gone', instanceId };
      for (const sibling of startedAt.keys()) if (sibling.isConnected()) sibling.send(gone);
    }
    if (stopping) {
      if (startedAt.size === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'a worker died; starting another');
    if (lived < EARLY_DEATH_MS) setTimeout(fork, RESTART_PAUSE_MS);
    else fork();
  });
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === config.workers) {
      logger.info({ workers: config.workers, pid: process.pid }, 'all workers listening');
    }
  });

  // Each worker drains its own answers (see main.ts); a repeated signal is passed on, to cancel them at once.
  const stop = (signal: NodeJS.Signals) => {
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down the workers');
    if (startedAt.size === 0) process.exit(0);
    setTimeout(() => {
      logger.error('workers did not stop in time; killing them');
      for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs + SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  for (let i = 0; i < config.workers; i++) fork();
}
