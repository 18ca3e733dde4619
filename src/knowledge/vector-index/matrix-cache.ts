/** A project's vectors of one model and dimension, packed row after row, with what a search needs beside them. */
export type VectorMatrix = {
  dimensions: number;
  chunkIds: string[];
  documentIds: string[];
  values: Float32Array;
  /** Each row's norm (similarity.ts), computed once at load. */
  norms: Float64Array;
  /** What the matrix holds in memory, about: the arrays and the id strings. */
  bytes: number;
};

/**
 * 512 MiB: the vectors of about 170,000 chunks of 768 dimensions (3 KiB each, with ids and norms), in each server
 * process (WORKERS processes hold one each). Matrices are dropped least recently used first; one larger than the
 * bound is searched once and not kept.
 */
export const DEFAULT_CACHE_BYTES = 512 * 2 ** 20;

let limit = DEFAULT_CACHE_BYTES;
let held = 0;
/** In use order, least recent first (a Map iterates in insertion order; a hit is moved to the end). */
const entries = new Map<string, { stamp: string; matrix: VectorMatrix }>();

/**
 * The matrix cached under `key` if it was loaded at `stamp`, else `load()`'s, kept for the next search. The stamp
 * comes from the database (postgresql-stamps.ts), so a write by any process is seen at the next search.
 */
export async function cachedMatrix(
  key: string,
  stamp: string,
  load: () => Promise<VectorMatrix>,
): Promise<VectorMatrix> {
  const cached = entries.get(key);
  if (cached) {
    forget(key);
    if (cached.stamp === stamp) {
      keep(key, stamp, cached.matrix);
      return cached.matrix;
    }
  }
  const matrix = await load();
  forget(key);
  if (matrix.bytes <= limit) {
    for (const [oldest] of entries) {
      if (held + matrix.bytes <= limit) break;
      forget(oldest);
    }
    keep(key, stamp, matrix);
  }
  return matrix;
}

function keep(key: string, stamp: string, matrix: VectorMatrix): void {
  entries.set(key, { stamp, matrix });
  held += matrix.bytes;
}

function forget(key: string): void {
  const entry = entries.get(key);
  if (!entry) return;
  entries.delete(key);
  held -= entry.matrix.bytes;
}

/** Sets the bound (bytes), dropping what no longer fits; 0 keeps nothing. */
export function setVectorCacheBytes(bytes: number): void {
  limit = bytes;
  for (const [oldest] of entries) {
    if (held <= limit) break;
    forget(oldest);
  }
}

/** What the cache holds now, in bytes, and how many matrices. */
export const vectorCacheUse = (): { bytes: number; matrices: number } => ({ bytes: held, matrices: entries.size });
