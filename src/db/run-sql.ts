import type { EntityManager, Knex } from '@mikro-orm/knex';
import { dialectOf } from './dialect.js';
import { sqliteTransactionOf } from './in-transaction.js';
import { runOnSqlite, type SqliteBinding } from './sqlite-statements.js';
import { withSqliteConnection } from './sqlite-connection.js';

/**
 * Runs SQL with bound parameters (`?`) and returns its rows: in the entity manager's transaction if it has one,
 * prepared once per text on SQLite. Unlike `em.execute`, which writes the parameters into the SQL text, the text
 * stays the same from call to call. The log, the projectors and the other hot paths use this.
 */
export async function runSql<T = Record<string, unknown>>(
  em: EntityManager,
  text: string,
  params: readonly Knex.RawBinding[] = [],
): Promise<T[]> {
  const sqlite = sqliteTransactionOf(em);
  if (sqlite) return runOnSqlite<T>(sqlite, text, params as SqliteBinding[]);
  const transaction = em.getTransactionContext();
  if (!transaction && dialectOf(em) === 'sqlite') {
    return withSqliteConnection(em, (connection) => runOnSqlite<T>(connection, text, params as SqliteBinding[]));
  }
  const query = em.getKnex().raw(text, params);
  if (transaction) void query.transacting(transaction);
  const result: unknown = await query;
  // better-sqlite3 answers with the rows (or a run summary), pg with a result holding them.
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
