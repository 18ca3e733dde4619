import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';
import { restamp } from './postgresql-stamps.js';
import { inBatches, LIST_BATCH, placeholders } from './sql-lists.js';
import type { VectorsToRemove } from './types.js';

/**
 * Deletes the vectors and restamps the projects they were in, as the delete found them: a stamp changes in the
 * transaction that changes the rows, so no process keeps a matrix of rows gone. Deleted rows stay in the table files
 * until VACUUM reuses their space, as every deleted row on PostgreSQL (README, Data safety).
 */
export async function removeOnPostgresql(em: EntityManager, by: VectorsToRemove): Promise<void> {
  const from = await deleted(em, by);
  await restamp(
    em,
    from.map((row) => row.project_id),
  );
}

type From = { project_id: string };

function deleted(em: EntityManager, by: VectorsToRemove): Promise<From[]> {
  const returning = 'returning project_id';
  if ('chunk_ids' in by) {
    return inBatches([...new Set(by.chunk_ids)], LIST_BATCH, (ids) =>
      runSql<From>(
        em,
        `delete from knowledge_vectors where chunk_id in (${placeholders(ids.length)}) ${returning}`,
        ids,
      ),
    );
  }
  if ('document_id' in by) {
    return runSql<From>(em, `delete from knowledge_vectors where document_id = ? ${returning}`, [by.document_id]);
  }
  return runSql<From>(em, `delete from knowledge_vectors where project_id = ? ${returning}`, [by.project_id]);
}
