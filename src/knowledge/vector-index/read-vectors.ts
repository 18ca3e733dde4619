import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../../db/dialect.js';
import { runSql } from '../../db/run-sql.js';
import { vectorTable } from './sqlite-tables.js';
import type { VectorEntry } from './types.js';
import { vectorFromBytes } from './vectors.js';

/** A stored vector with the model that made it. */
export type StoredVector = VectorEntry & { model: string };

type Row = {
  chunk_id: string;
  document_id: string;
  project_id: string;
  model: string;
  text_hash: string | null;
  vector: Uint8Array;
};

/** Up to `limit` stored vectors in chunk id order, after chunk `after` ('' from the first): to copy them all. */
export async function vectorsAfter(em: EntityManager, after: string, limit: number): Promise<StoredVector[]> {
  const rows = dialectOf(em) === 'sqlite' ? await sqliteRows(em, after, limit) : await postgresqlRows(em, after, limit);
  return rows.map(({ vector, text_hash, ...row }) => ({
    ...row,
    ...(text_hash === null ? {} : { text_hash }),
    vector: vectorFromBytes(vector),
  }));
}

async function postgresqlRows(em: EntityManager, after: string, limit: number): Promise<Row[]> {
  return runSql<Row>(
    em,
    `select chunk_id, document_id, project_id, model, text_hash, vector from knowledge_vectors
     where chunk_id > ? order by chunk_id limit ?`,
    [after, limit],
  );
}

async function sqliteRows(em: EntityManager, after: string, limit: number): Promise<Row[]> {
  const chunks = await runSql<Omit<Row, 'vector'> & { seq: number; dimensions: number }>(
    em,
    `select seq, chunk_id, document_id, project_id, model, text_hash, dimensions from knowledge_vector_chunks
     where chunk_id > ? order by chunk_id limit ?`,
    [after, limit],
  );
  const rows: Row[] = [];
  for (const { seq, dimensions, ...chunk } of chunks) {
    const [stored] = await runSql<{ embedding: Uint8Array }>(
      em,
      `select embedding from ${vectorTable(dimensions)} where rowid = cast(? as integer)`,
      [seq],
    );
    if (stored) rows.push({ ...chunk, vector: stored.embedding });
  }
  return rows;
}
