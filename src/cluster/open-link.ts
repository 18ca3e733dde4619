import cluster from 'node:cluster';
import { parseDatabaseUrl } from '../db/database-url.js';
import type { Logger } from '../logger.js';
import { createIpcLink } from './ipc-link.js';
import { createLocalLink } from './local-link.js';
import { createPgNotifyLink } from './pg-notify-link.js';
import type { SignalLink } from './signals.js';

/**
 * PostgreSQL carries signals between every process on the database, on this machine or not. SQLite is
 * one machine's: its workers signal through their cluster primary, and a lone process needs nothing.
 */
export async function openLink(databaseUrl: string, instanceId: string, logger: Logger): Promise<SignalLink> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.kind === 'postgresql') return createPgNotifyLink(target.url, instanceId, logger);
  return cluster.isWorker ? createIpcLink(instanceId, logger) : createLocalLink(instanceId);
}
