import type { EntityManager } from '@mikro-orm/knex';
import type { Database } from 'better-sqlite3';

type Pool = { acquireConnection: () => Promise<Database>; releaseConnection: (connection: Database) => unknown };

/**
 * Lends the connection of knex's SQLite pool (it has exactly one) to `use`, and takes it back after. While it is
 * lent, every query through MikroORM or knex waits for it, so nothing else can run inside the lender's transaction.
 */
export async function withSqliteConnection<T>(
  em: EntityManager,
  use: (connection: Database) => T,
): Promise<Awaited<T>> {
  const pool = em.getKnex().client as Pool;
  const connection = await pool.acquireConnection();
  try {
    return await use(connection);
  } finally {
    await pool.releaseConnection(connection);
  }
}
