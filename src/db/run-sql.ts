import type { EntityManager, Knex } from '@mikro-orm/knex';

/**
 * Runs SQL with bound parameters, in the entity manager's transaction if it has one, and returns its rows.
 * Unlike `em.execute`, which writes the parameters into the SQL text, the text stays the same from call to call,
 * so the database can reuse its prepared statement (see statement-cache.ts): the hot paths of the log use this.
 */
export async function runSql<T = Record<string, unknown>>(
  em: EntityManager,
  text: string,
  params: readonly Knex.RawBinding[] = [],
): Promise<T[]> {
  const query = em.getKnex().raw(text, params);
  const transaction = em.getTransactionContext();
  if (transaction) void query.transacting(transaction);
  const result: unknown = await query;
  // better-sqlite3 answers with the rows (or a run summary), pg with a result holding them.
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
