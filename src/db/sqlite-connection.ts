import type { EntityManager } from '@mikro-orm/knex';
import type { Database } from 'better-sqlite3';

type Pool = { acquireConnection: () => Promise<Database>; releaseConnection: (connection: Database) => unknown };

/**
 * Errors after which the connection must be opened anew: SQLite keeps a file it opened read-only (its permissions
 * were wrong then) read-only after they are fixed, and a file that was moved or failed stays so on that connection.
 */
const REOPEN_AFTER = /^SQLITE_(READONLY|CANTOPEN|IOERR)/;

/**
 * Lends the connection of knex's SQLite pool (it has exactly one) to `use`, and takes it back after. While it is
 * lent, every query through MikroORM or knex waits for it, so nothing else can run inside the lender's transaction.
 * After an error that the connection would keep repeating, it is marked as knex marks a dead connection, so the pool
 * opens a new one on its next acquire.
 */
export async function withSqliteConnection<T>(
  em: EntityManager,
  use: (connection: Database) => T,
): Promise<Awaited<T>> {
  const pool = em.getKnex().client as Pool;
  const connection = await pool.acquireConnection();
  try {
    return await use(connection);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && REOPEN_AFTER.test(code)) {
      (connection as Database & { __knex__disposed?: unknown }).__knex__disposed = error;
    }
    throw error;
  } finally {
    await pool.releaseConnection(connection);
  }
}
