import type { EntityManager } from '@mikro-orm/knex';
import type { Database } from 'better-sqlite3';
import { withSqliteConnection } from './sqlite-connection.js';

const RETRY_MS = 50;

export type SqliteWritability = 'writable' | 'locked' | 'read_only';

/**
 * Whether SQLite takes a write within `patienceMs`: `locked` when another process holds the write lock all that
 * time, `read_only` when the file cannot be written. Each attempt gives up at once instead of waiting under
 * busy_timeout, which would block the event loop; between attempts the connection is free for others. Normal writes
 * hold the lock for milliseconds, so a healthy database passes at the first or second attempt.
 */
export async function sqliteWritability(em: EntityManager, patienceMs: number): Promise<SqliteWritability> {
  const deadline = performance.now() + patienceMs;
  for (;;) {
    try {
      if (await withSqliteConnection(em, tryWrite)) return 'writable';
    } catch (error) {
      if (/^SQLITE_READONLY/.test(String((error as { code?: unknown }).code))) return 'read_only';
      throw error;
    }
    if (performance.now() >= deadline) return 'locked';
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/**
 * Takes the write lock and rewrites one header field with its own value, then rolls back: a connection to a file it
 * could not open for writing takes the lock, and fails only at the write.
 */
function tryWrite(connection: Database): boolean {
  const busyTimeout = connection.pragma('busy_timeout', { simple: true }) as number;
  connection.pragma('busy_timeout = 0');
  try {
    connection.exec('begin immediate');
  } catch (error) {
    if (/^SQLITE_BUSY/.test(String((error as { code?: unknown }).code))) return false;
    throw error;
  } finally {
    connection.pragma(`busy_timeout = ${busyTimeout}`);
  }
  try {
    const version = Number(connection.pragma('user_version', { simple: true }));
    connection.pragma(`user_version = ${version}`);
    return true;
  } finally {
    connection.exec('rollback');
  }
}
