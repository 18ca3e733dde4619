import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';
import { ensureVectorTable, vectorTable } from './sqlite-tables.js';
import type { VectorEntry } from './types.js';
import { vectorBytes } from './vectors.js';

type Stored = { seq: number; project_id: string; dimensions: number };

/**
 * A chunk stored again in the same project and dimension is updated in place: vec0 overwrites its vector's bytes in
 * the chunk blob, where a delete and an insert would leave a hole behind and take a new slot. Moved to another
 * project (vec0 cannot update a partition key) or dimension, it is deleted and inserted anew.
 */
export async function storeOnSqlite(em: EntityManager, model: string, entries: readonly VectorEntry[]): Promise<void> {
  const ensured = new Set<number>();
  for (const entry of entries) {
    const dimensions = entry.vector.length;
    if (!ensured.has(dimensions)) {
      await ensureVectorTable(em, dimensions);
      ensured.add(dimensions);
    }
    const [stored] = await runSql<Stored>(
      em,
      'select seq, project_id, dimensions from knowledge_vector_chunks where chunk_id = ?',
      [entry.chunk_id],
    );
    const bytes = vectorBytes(entry.vector);
    if (stored && stored.project_id === entry.project_id && stored.dimensions === dimensions) {
      await runSql(
        em,
        `update ${vectorTable(dimensions)} set embedding = ?, model = ?, document_id = ? where rowid = ?`,
        [bytes, model, entry.document_id, stored.seq],
      );
      await runSql(em, 'update knowledge_vector_chunks set document_id = ?, model = ?, text_hash = ? where seq = ?', [
        entry.document_id,
        model,
        entry.text_hash ?? null,
        stored.seq,
      ]);
      continue;
    }
    if (stored) {
      await runSql(em, `delete from ${vectorTable(stored.dimensions)} where rowid = ?`, [stored.seq]);
      await runSql(em, 'delete from knowledge_vector_chunks where seq = ?', [stored.seq]);
    }
    const [added] = await runSql<{ seq: number }>(
      em,
      `insert into knowledge_vector_chunks (chunk_id, project_id, document_id, model, dimensions, text_hash)
       values (?, ?, ?, ?, ?, ?) returning seq`,
      [entry.chunk_id, entry.project_id, entry.document_id, model, dimensions, entry.text_hash ?? null],
    );
    // vec0 takes an integer rowid only, and better-sqlite3 binds a JavaScript number as a real.
    await runSql(
      em,
      `insert into ${vectorTable(dimensions)} (rowid, project_id, embedding, model, document_id)
       values (cast(? as integer), ?, ?, ?, ?)`,
      [added!.seq, entry.project_id, bytes, model, entry.document_id],
    );
  }
}
