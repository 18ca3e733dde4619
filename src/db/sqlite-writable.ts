import type { EntityManager } from '@mikro-orm/knex';
import type { Database } from 'better-sqlite3';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { withSqliteConnection } from './sqlite-connection.js';

const RETRY_MS = 50;

/**
 * Whether SQLite's write lock can be taken within `patienceMs`: false when another process holds it all that time,
 * or the file cannot be written. Each attempt gives up at once instead of waiting under busy_timeout, which would
 * block the event loop; between attempts the connection is free for others. Normal writes hold the lock for
 * milliseconds, so a healthy database passes at the first or second attempt.
 */
export async function sqliteWritable(em: EntityManager, patienceMs: number): Promise<boolean> {
  const deadline = performance.now() + patienceMs;
  for (;;) {
    if (await withSqliteConnection(em, tryWriteLock)) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

function tryWriteLock(connection: Database): boolean {
  const busyTimeout = connection.pragma('busy_timeout', { simple: true }) as number;
  connection.pragma('busy_timeout = 0');
  try {
    connection.exec('begin immediate');
    connection.exec('rollback');
    return true;
  } catch (error) {
    if (isDatabaseUnavailable(error)) return false;
    throw error;
  } finally {
    connection.pragma(`busy_timeout = ${busyTimeout}`);
  }
}
