import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';
import { cachedMatrix, type VectorMatrix } from './matrix-cache.js';
import { stampOf } from './postgresql-stamps.js';
import { cosine, dot, norm } from './similarity.js';
import { topK } from './top-k.js';
import type { NearestChunk, NearestQuery } from './types.js';

/** Tells the databases of this process apart (tests open many): a cache key names the driver it was loaded by. */
const drivers = new WeakMap<object, number>();
let databases = 0;

function databaseOf(em: EntityManager): number {
  const driver = em.getDriver();
  let id = drivers.get(driver);
  if (id === undefined) drivers.set(driver, (id = ++databases));
  return id;
}

/**
 * An exact search in the process: every vector of the project, model and dimension is scored (similarity.ts)
 * against the query, from a matrix cached per process (matrix-cache.ts) while the project's stamp is unchanged.
 */
export async function nearestOnPostgresql(em: EntityManager, query: NearestQuery): Promise<NearestChunk[]> {
  // The stamp first: the rows read after it are as new as it, or newer, never older.
  const stamp = await stampOf(em, query.project_id);
  if (stamp === undefined) return [];
  const dimensions = query.vector.length;
  const key = [databaseOf(em), query.project_id, query.model, dimensions].join('\u0000');
  const matrix = await cachedMatrix(key, stamp, () => loadMatrix(em, query.project_id, query.model, dimensions));
  return search(matrix, query);
}

type Row = { chunk_id: string; document_id: string; vector: Buffer };

async function loadMatrix(
  em: EntityManager,
  projectId: string,
  model: string,
  dimensions: number,
): Promise<VectorMatrix> {
  const rows = await runSql<Row>(
    em,
    'select chunk_id, document_id, vector from knowledge_vectors where project_id = ? and model = ? and dimensions = ?',
    [projectId, model, dimensions],
  );
  const values = new Float32Array(rows.length * dimensions);
  const bytes = new Uint8Array(values.buffer);
  const norms = new Float64Array(rows.length);
  let idBytes = 0;
  rows.forEach((row, i) => {
    bytes.set(row.vector, i * dimensions * 4);
    norms[i] = norm(values, i * dimensions, dimensions);
    idBytes += 2 * (row.chunk_id.length + row.document_id.length) + 64;
  });
  return {
    dimensions,
    chunkIds: rows.map((row) => row.chunk_id),
    documentIds: rows.map((row) => row.document_id),
    values,
    norms,
    bytes: values.byteLength + norms.byteLength + idBytes,
  };
}

function search(matrix: VectorMatrix, query: NearestQuery): NearestChunk[] {
  const { dimensions, values, norms, chunkIds, documentIds } = matrix;
  const documents = query.document_ids && new Set(query.document_ids);
  const queryNorm = norm(query.vector, 0, dimensions);
  const best = topK(query.k);
  for (let i = 0; i < chunkIds.length; i += 1) {
    if (documents && !documents.has(documentIds[i]!)) continue;
    const similarity = cosine(dot(query.vector, 0, values, i * dimensions, dimensions), queryNorm, norms[i]!);
    best.offer(similarity, chunkIds[i]!, documentIds[i]!);
  }
  return best.best();
}
