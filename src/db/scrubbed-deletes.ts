import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from './dialect.js';
import { withSqliteConnection } from './sqlite-connection.js';

/**
 * Runs `work` so that what it deletes leaves no bytes behind in the database files. SQLite: with secure_delete the
 * deleted rows are overwritten with zeros, not just unlinked; then the WAL, which still holds the pages as they
 * were before, is checkpointed into the database and truncated (while another process reads it, it cannot be: its
 * old frames are overwritten as it fills again).
 * PostgreSQL: deleted rows stay in the table files until VACUUM reuses their space; see the README.
 */
export async function withScrubbedDeletes<T>(em: EntityManager, work: () => Promise<T>): Promise<T> {
  if (dialectOf(em) === 'postgresql') return work();
  const pragma = (statement: string) => withSqliteConnection(em, (connection) => connection.pragma(statement));
  await pragma('secure_delete = on');
  try {
    const result = await work();
    await pragma('wal_checkpoint(truncate)');
    return result;
  } finally {
    await pragma('secure_delete = off');
  }
}
