import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../../db/dialect.js';
import { runSql } from '../../db/run-sql.js';
import { inBatches, LIST_BATCH, placeholders } from './sql-lists.js';
import { vectorTable } from './sqlite-tables.js';
import { vectorFromBytes } from './vectors.js';

/** What a vector is keyed by besides its model: the text it is the embedding of. */
export const textHash = (text: string): string => createHash('sha256').update(text).digest('base64url');

/**
 * Vectors `model` already made of texts with these hashes (another chunk of the same text, in any document or
 * project, or a chunk of the last cut before a reindex), by hash: they are taken rather than embedded again.
 */
export async function vectorsOfTexts(
  em: EntityManager,
  model: string,
  hashes: readonly string[],
): Promise<Map<string, Float32Array>> {
  const wanted = [...new Set(hashes)];
  const rows = await inBatches(wanted, LIST_BATCH, (batch) =>
    dialectOf(em) === 'sqlite' ? onSqlite(em, model, batch) : onPostgresql(em, model, batch),
  );
  return new Map(rows.map((row) => [row.text_hash, vectorFromBytes(row.vector)]));
}

type Found = { text_hash: string; vector: Uint8Array };

async function onPostgresql(em: EntityManager, model: string, hashes: readonly string[]): Promise<Found[]> {
  return runSql<Found>(
    em,
    `select distinct on (text_hash) text_hash, vector from knowledge_vectors
     where model = ? and text_hash in (${placeholders(hashes.length)})`,
    [model, ...hashes],
  );
}

async function onSqlite(em: EntityManager, model: string, hashes: readonly string[]): Promise<Found[]> {
  const stored = await runSql<{ text_hash: string; seq: number; dimensions: number }>(
    em,
    `select text_hash, min(seq) as seq, dimensions from knowledge_vector_chunks
     where model = ? and text_hash in (${placeholders(hashes.length)}) group by text_hash`,
    [model, ...hashes],
  );
  const found: Found[] = [];
  for (const { text_hash, seq, dimensions } of stored) {
    const [row] = await runSql<{ embedding: Uint8Array }>(
      em,
      `select embedding from ${vectorTable(dimensions)} where rowid = cast(? as integer)`,
      [seq],
    );
    if (row) found.push({ text_hash, vector: row.embedding });
  }
  return found;
}

/** The chunks of a document that have a vector stored, of any model. */
export async function chunksWithVectors(em: EntityManager, documentId: string): Promise<string[]> {
  const table = dialectOf(em) === 'sqlite' ? 'knowledge_vector_chunks' : 'knowledge_vectors';
  const rows = await runSql<{ chunk_id: string }>(em, `select chunk_id from ${table} where document_id = ?`, [
    documentId,
  ]);
  return rows.map((row) => row.chunk_id);
}
