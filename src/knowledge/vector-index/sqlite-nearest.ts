import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';
import { cosine, dot, norm } from './similarity.js';
import { placeholders } from './sql-lists.js';
import { hasVectorTable, vectorTable } from './sqlite-tables.js';
import { topK } from './top-k.js';
import type { NearestChunk, NearestQuery } from './types.js';
import { vectorBytes, vectorFromBytes } from './vectors.js';

/** The most rows a vec0 KNN query may ask for. */
const VEC0_MAX_K = 4096;
/** Candidates asked for beyond `k` at first: room for rows whose order float32 rounding may have swapped. */
const SLACK = 16;

type Candidate = { distance: number; embedding: Buffer; chunk_id: string; document_id: string };

/**
 * How far sqlite-vec's cosine distance may be from the exact one: it sums `dimensions` float32 products (and two
 * squared norms), each sum off by at most about `dimensions` units of float32 rounding (2^-24) of the magnitudes,
 * so the distance by a few times that. Twice that bound separates a row that surely ranks below another from one
 * that may not.
 */
const roundingMargin = (dimensions: number) => 8 * (dimensions + 2) * 2 ** -24;

/**
 * vec0 finds the candidates (the project's partition only, the model and documents filtered during the scan);
 * they are then scored again with the arithmetic PostgreSQL's search uses (similarity.ts) and ranked with ties
 * broken by chunk id. The candidates are enough when the last of them is farther than the k-th by more than float32
 * rounding can account for, or when there are no more; otherwise four times as many are asked for. When even
 * vec0's most are not enough (more than 4,096 vectors as near as the k-th: the same text in thousands of chunks),
 * every vector of the project, model and documents is scored, as PostgreSQL does.
 */
export async function nearestOnSqlite(em: EntityManager, query: NearestQuery): Promise<NearestChunk[]> {
  const dimensions = query.vector.length;
  if (!(await hasVectorTable(em, dimensions))) return [];
  const documents = query.document_ids ? [...new Set(query.document_ids)] : [];
  const sql = `with knn as (
      select rowid, distance, embedding from ${vectorTable(dimensions)}
      where embedding match ? and k = ? and project_id = ? and model = ?
      ${query.document_ids ? `and document_id in (${placeholders(documents.length)})` : ''}
    )
    select knn.distance, knn.embedding, c.chunk_id, c.document_id
    from knn join knowledge_vector_chunks c on c.seq = knn.rowid`;
  const queryBytes = vectorBytes(query.vector);
  let asked = Math.min(VEC0_MAX_K, query.k + SLACK);
  for (;;) {
    const candidates = await runSql<Candidate>(em, sql, [
      queryBytes,
      asked,
      query.project_id,
      query.model,
      ...documents,
    ]);
    candidates.sort((a, b) => a.distance - b.distance);
    const enough =
      candidates.length < asked ||
      candidates[asked - 1]!.distance - candidates[query.k - 1]!.distance > roundingMargin(dimensions);
    if (enough) return ranked(query, candidates);
    if (asked === VEC0_MAX_K) return ranked(query, await everyVector(em, query, documents));
    asked = Math.min(VEC0_MAX_K, asked * 4);
  }
}

/** Every vector of the project, model, dimension and documents, found by knowledge_vector_chunks' index. */
function everyVector(em: EntityManager, query: NearestQuery, documents: readonly string[]): Promise<Scored[]> {
  const dimensions = query.vector.length;
  // CROSS JOIN keeps knowledge_vector_chunks outside: each of its rows is one rowid lookup in the vec0 table.
  return runSql<Scored>(
    em,
    `select v.embedding, c.chunk_id, c.document_id
     from knowledge_vector_chunks c cross join ${vectorTable(dimensions)} v on v.rowid = c.seq
     where c.project_id = ? and c.model = ? and c.dimensions = ?
     ${query.document_ids ? `and c.document_id in (${placeholders(documents.length)})` : ''}`,
    [query.project_id, query.model, dimensions, ...documents],
  );
}

type Scored = Omit<Candidate, 'distance'>;

function ranked(query: NearestQuery, candidates: readonly Scored[]): NearestChunk[] {
  const dimensions = query.vector.length;
  const queryNorm = norm(query.vector, 0, dimensions);
  const best = topK(query.k);
  for (const candidate of candidates) {
    const vector = vectorFromBytes(candidate.embedding);
    const similarity = cosine(dot(query.vector, 0, vector, 0, dimensions), queryNorm, norm(vector, 0, dimensions));
    best.offer(similarity, candidate.chunk_id, candidate.document_id);
  }
  return best.best();
}
