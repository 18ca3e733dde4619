import type { EntityManager } from '@mikro-orm/knex';
import type { Database } from 'better-sqlite3';
import { dialectOf } from './dialect.js';
import { runOnSqlite } from './sqlite-statements.js';
import { withSqliteConnection } from './sqlite-connection.js';

const SQLITE = Symbol('sqlite transaction');

/**
 * What an `inTransaction` callback's entity manager holds as its transaction context on SQLite: the connection the
 * transaction runs on. The entity manager carries it, so no table on the side has to map one to the other.
 */
type SqliteTransaction = { [SQLITE]: Database };

/** The SQLite connection an `inTransaction` callback runs on, for runSql. */
export const sqliteTransactionOf = (em: EntityManager): Database | undefined =>
  (em.getTransactionContext() as Partial<SqliteTransaction> | undefined)?.[SQLITE];

/**
 * Runs `work` in one transaction on an entity manager of its own, and commits, or rolls back when it throws.
 * `work` must issue its statements through runSql on the `tx` it is given: on SQLite, a query through any other
 * entity manager, or through the ORM, waits for the connection this transaction holds.
 *
 * SQLite: the transaction runs straight on the pool's one connection, its statements prepared once, without the
 * ORM's and knex's per-query plumbing (most of a command's cost before). It begins IMMEDIATE, taking the write lock
 * first: a transaction that read first and wrote later would fail at once with SQLITE_BUSY_SNAPSHOT when another
 * worker process wrote in between, whereas one that asks for the lock first waits for it under busy_timeout, so
 * writers from several processes queue up. That also keeps log positions in commit order.
 * PostgreSQL: the ORM's transaction.
 */
export async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  if (dialectOf(em) === 'postgresql') return em.fork().transactional(work);
  const tx = em.fork();
  return withSqliteConnection(em, async (connection) => {
    runOnSqlite(connection, 'begin immediate', []);
    const context: SqliteTransaction = { [SQLITE]: connection };
    tx.setTransactionContext(context as never);
    try {
      const result = await work(tx);
      runOnSqlite(connection, 'commit', []);
      return result;
    } catch (error) {
      // SQLite may have rolled back by itself already (a full disk, for one).
      if (connection.inTransaction) runOnSqlite(connection, 'rollback', []);
      throw error;
    } finally {
      tx.resetTransactionContext();
    }
  });
}
