import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';

/**
 * One vec0 table per dimension (knowledge_vectors_768), with the model as a metadata column, rather than one per
 * model: a vec0 table fixes its dimension, not its model, and a model's name would have to be mapped to a table
 * name; a re-embedding with another model of the same dimension then needs no new table, and the model filter runs
 * inside the KNN scan, as the project's partition and the document filter do. `project_id` is the partition key,
 * so a search reads only the project's vector chunks; the rowid is the chunk's `seq` in knowledge_vector_chunks.
 */
export const vectorTable = (dimensions: number): string => `knowledge_vectors_${dimensions}`;

export async function ensureVectorTable(em: EntityManager, dimensions: number): Promise<void> {
  await runSql(
    em,
    `create virtual table if not exists ${vectorTable(dimensions)} using vec0(
      project_id text partition key, embedding float[${dimensions}] distance_metric=cosine,
      model text, document_id text
    )`,
  );
}

export async function hasVectorTable(em: EntityManager, dimensions: number): Promise<boolean> {
  const found = await runSql(em, "select 1 from sqlite_master where type = 'table' and name = ?", [
    vectorTable(dimensions),
  ]);
  return found.length > 0;
}
