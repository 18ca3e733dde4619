import type { EntityManager } from '@mikro-orm/knex';
import type { Database } from '../db/connect-database.js';
import { runSql } from '../db/run-sql.js';
import { fileBytes, keepFile } from '../knowledge/document-files.js';
import { vectorsAfter, type StoredVector } from '../knowledge/vector-index/read-vectors.js';
import { storeVectors } from '../knowledge/vector-index/store-vectors.js';

export type KnowledgeCopied = { files: number; vectors: number };

const VECTORS_PER_BATCH = 500;

/**
 * What the event log refers to but does not hold: the uploaded files' bytes, which no replay can make again, and the
 * chunks' vectors, which only the embedding server could. A file the target has already is left as it is; a vector is
 * stored again over the target's for its chunk.
 */
export async function copyKnowledge(source: Database, target: Database): Promise<KnowledgeCopied> {
  return { files: await copyFiles(source.em(), target.em()), vectors: await copyVectors(source, target) };
}

async function copyFiles(from: EntityManager, to: EntityManager): Promise<number> {
  // One file at a time: each may be as large as MAX_DOCUMENT_BYTES.
  const names = await runSql<{ sha256: string }>(from, 'select sha256 from document_files order by sha256');
  for (const { sha256 } of names) {
    const bytes = await fileBytes(from, sha256);
    if (bytes) await to.transactional((tx) => keepFile(tx as EntityManager, sha256, bytes));
  }
  return names.length;
}

async function copyVectors(source: Database, target: Database): Promise<number> {
  let copied = 0;
  for (let after = ''; ;) {
    const batch = await vectorsAfter(source.em(), after, VECTORS_PER_BATCH);
    if (batch.length === 0) return copied;
    await target.em().transactional(async (tx) => {
      for (const [model, entries] of byModel(batch)) await storeVectors(tx as EntityManager, model, entries);
    });
    copied += batch.length;
    after = batch.at(-1)!.chunk_id;
  }
}

function byModel(vectors: StoredVector[]): Map<string, StoredVector[]> {
  const models = new Map<string, StoredVector[]>();
  for (const vector of vectors) models.set(vector.model, [...(models.get(vector.model) ?? []), vector]);
  return models;
}
