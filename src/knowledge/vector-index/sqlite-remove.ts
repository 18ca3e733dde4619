import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';
import { inBatches, LIST_BATCH, placeholders } from './sql-lists.js';
import { vectorTable } from './sqlite-tables.js';
import type { VectorsToRemove } from './types.js';

type Stored = { seq: number; dimensions: number };

/**
 * Deletes each vector by its rowid. sqlite-vec 0.1.9 zeroes a deleted row's vector and metadata in its chunk blobs
 * besides clearing its validity bit (tests/knowledge/vector-index.sqlite.test.ts reads the file to prove it), and
 * secure_delete zeroes the freed rows of the shadow tables and of knowledge_vector_chunks; the WAL is scrubbed by
 * the caller's withScrubbedDeletes.
 */
export async function removeOnSqlite(em: EntityManager, by: VectorsToRemove): Promise<void> {
  const stored = await storedRows(em, by);
  for (const row of stored) await runSql(em, `delete from ${vectorTable(row.dimensions)} where rowid = ?`, [row.seq]);
  await inBatches(
    stored.map((row) => row.seq),
    LIST_BATCH,
    (seqs) => runSql(em, `delete from knowledge_vector_chunks where seq in (${placeholders(seqs.length)})`, seqs),
  );
}

function storedRows(em: EntityManager, by: VectorsToRemove): Promise<Stored[]> {
  const select = 'select seq, dimensions from knowledge_vector_chunks where';
  if ('chunk_ids' in by) {
    return inBatches([...new Set(by.chunk_ids)], LIST_BATCH, (ids) =>
      runSql<Stored>(em, `${select} chunk_id in (${placeholders(ids.length)})`, ids),
    );
  }
  if ('document_id' in by) return runSql<Stored>(em, `${select} document_id = ?`, [by.document_id]);
  return runSql<Stored>(em, `${select} project_id = ?`, [by.project_id]);
}
