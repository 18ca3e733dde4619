import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../db/dialect.js';
import { runSql } from '../db/run-sql.js';

/**
 * SQLite: takes the database's write lock as the transaction's first statement. A transaction that read
 * first and wrote later fails at once with SQLITE_BUSY_SNAPSHOT when another process wrote in between;
 * one that writes first waits for the lock under busy_timeout instead, so writers from several worker
 * processes queue up. It also keeps log positions in commit order. PostgreSQL needs nothing: the unique
 * stream version catches races there.
 */
export async function takeWriteLock(tx: EntityManager): Promise<void> {
  if (dialectOf(tx) === 'sqlite') await runSql(tx, 'update events set position = position where 0');
}
