import type { EntityManager } from '@mikro-orm/knex';
import { dialectOf } from '../../db/dialect.js';
import { nearestOnPostgresql } from './postgresql-nearest.js';
import { nearestOnSqlite } from './sqlite-nearest.js';
import type { NearestChunk, NearestQuery } from './types.js';
import { checkModel, checkVector } from './vectors.js';

/** The most chunks one search returns: vec0 answers at most 4,096 rows, and room is kept for its rounding. */
export const MAX_NEAREST = 1024;
/** The most documents a search may be limited to (each is a bound parameter on SQLite). */
export const MAX_DOCUMENT_FILTER = 10_000;

/**
 * The `k` chunks of the project whose vectors of `model` are most similar to `vector` (cosine), best first, ties
 * by chunk id; the same chunks and similarities on SQLite and PostgreSQL for the same vectors. Only vectors of the
 * query's dimension are compared.
 */
export async function nearestChunks(em: EntityManager, query: NearestQuery): Promise<NearestChunk[]> {
  checkModel(query.model);
  checkVector(query.vector);
  if (!Number.isInteger(query.k) || query.k < 0 || query.k > MAX_NEAREST) {
    throw new RangeError(`k is an integer from 0 to ${MAX_NEAREST}, not ${query.k}`);
  }
  if (query.document_ids && query.document_ids.length > MAX_DOCUMENT_FILTER) {
    throw new RangeError(`a search is limited to at most ${MAX_DOCUMENT_FILTER} documents`);
  }
  if (query.k === 0 || query.document_ids?.length === 0) return [];
  return dialectOf(em) === 'sqlite' ? nearestOnSqlite(em, query) : nearestOnPostgresql(em, query);
}
