import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../../db/dialect.js';
import { runSql } from '../../db/run-sql.js';
import { inCallersTransaction } from './callers-transaction.js';
import { vectorTables } from './sqlite-tables.js';

/**
 * Removes every vector, for a rebuild. SQLite: the vec0 tables are dropped (secure_delete zeroes their pages; the
 * next store creates them again). PostgreSQL: every project is restamped with its rows deleted.
 */
export async function emptyVectors(em: EntityManager): Promise<void> {
  await inCallersTransaction(em, async (tx) => {
    if (dialectOf(tx) === 'sqlite') {
      for (const table of await vectorTables(tx)) await runSql(tx, `drop table ${table}`);
      await runSql(tx, 'delete from knowledge_vector_chunks');
      return;
    }
    await runSql(tx, 'delete from knowledge_vectors');
    await runSql(tx, "update knowledge_vector_versions set stamp = nextval('knowledge_vector_stamps')");
  });
}
