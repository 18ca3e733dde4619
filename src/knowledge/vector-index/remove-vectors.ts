import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../../db/dialect.js';
import { inCallersTransaction } from './callers-transaction.js';
import { removeOnPostgresql } from './postgresql-remove.js';
import { removeOnSqlite } from './sqlite-remove.js';
import type { VectorsToRemove } from './types.js';

/**
 * Removes a document's, a project's or some chunks' vectors. On SQLite their bytes leave the database file once the
 * WAL is checkpointed: run it within withScrubbedDeletes (src/db/scrubbed-deletes.ts) where that matters.
 */
export async function removeVectors(em: EntityManager, by: VectorsToRemove): Promise<void> {
  if ('chunk_ids' in by && by.chunk_ids.length === 0) return;
  await inCallersTransaction(em, (tx) =>
    dialectOf(tx) === 'sqlite' ? removeOnSqlite(tx, by) : removeOnPostgresql(tx, by),
  );
}
