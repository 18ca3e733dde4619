import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from './dialect.js';
import { withSqliteConnection } from './sqlite-connection.js';

/**
 * Runs `work` so that what it deletes leaves no bytes behind in the database files. SQLite: connections run with
 * secure_delete on (mikro-orm.config.ts), so deleted rows are overwritten with zeros, not just unlinked, and so is
 * everything freed before (a row rewritten longer, a full-text index segment merged away: when only the purge
 * zeroed what it deleted, earlier copies stayed in free space); then the WAL, which still holds the pages as they
 * were before, is checkpointed into the database and truncated (while another process reads it, it cannot be: its
 * old frames are overwritten as it fills again).
 * PostgreSQL: deleted rows stay in the table files until VACUUM reuses their space; see the README.
 */
export async function withScrubbedDeletes<T>(em: EntityManager, work: () => Promise<T>): Promise<T> {
  if (dialectOf(em) === 'postgresql') return work();
  const result = await work();
  await withSqliteConnection(em, (connection) => connection.pragma('wal_checkpoint(truncate)'));
  return result;
}
