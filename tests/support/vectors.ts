import { expect } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import type { NearestChunk, VectorEntry } from '../../src/knowledge/vector-index/types.js';

/** A seeded generator of numbers in [0, 1) (mulberry32): the same data on every run and on both databases. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A vector of `dimensions` values in [-1, 1). */
export const randomVector = (random: () => number, dimensions: number): Float32Array =>
  Float32Array.from({ length: dimensions }, () => random() * 2 - 1);

export type Candidate = { chunk_id: string; document_id: string; vector: Float32Array };

/**
 * The `k` candidates most similar to `query` by cosine, best first, ties by chunk id: computed here, one plain sum
 * in doubles over the float32 values, independently of the index. Only candidates of the query's dimension count.
 */
export function bruteForceNearest(query: Float32Array, candidates: readonly Candidate[], k: number): NearestChunk[] {
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
  const queryNorm = Math.sqrt(dot(query, query));
  return candidates
    .filter((candidate) => candidate.vector.length === query.length)
    .map(({ chunk_id, document_id, vector }) => ({
      chunk_id,
      document_id,
      similarity: Math.min(1, Math.max(-1, dot(query, vector) / (queryNorm * Math.sqrt(dot(vector, vector))))),
    }))
    .sort((a, b) => b.similarity - a.similarity || (a.chunk_id < b.chunk_id ? -1 : a.chunk_id > b.chunk_id ? 1 : 0))
    .slice(0, k);
}

/** `count` chunks of random vectors in one project, spread over `documents` documents. */
export function randomEntries(
  random: () => number,
  count: number,
  dimensions: number,
  projectId = uuidv7(),
  documents = 4,
): VectorEntry[] {
  const documentIds = Array.from({ length: documents }, () => uuidv7());
  return Array.from({ length: count }, (_, i) => ({
    chunk_id: uuidv7(),
    project_id: projectId,
    document_id: documentIds[i % documents]!,
    vector: randomVector(random, dimensions),
  }));
}

/** Found exactly the chunks expected, in the same order, with the same similarities up to rounding. */
export function expectRanking(found: NearestChunk[], expected: NearestChunk[]): void {
  expect(found.map(({ chunk_id, document_id }) => ({ chunk_id, document_id }))).toEqual(
    expected.map(({ chunk_id, document_id }) => ({ chunk_id, document_id })),
  );
  found.forEach((hit, i) => expect(hit.similarity).toBeCloseTo(expected[i]!.similarity, 12));
}
