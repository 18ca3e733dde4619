/**
 * One chunk's vector, as an embedding model gave it; `text_hash` (textHash of the chunk's text) lets another chunk of
 * the same text take it rather than embed the text again.
 */
export type VectorEntry = {
  chunk_id: string;
  document_id: string;
  project_id: string;
  vector: Float32Array;
  text_hash?: string;
};

/** Which vectors a removal takes: a document's, a project's, or these chunks'. */
export type VectorsToRemove = { document_id: string } | { project_id: string } | { chunk_ids: readonly string[] };

export type NearestQuery = {
  project_id: string;
  /** Only vectors this model made are searched: another model's are not comparable. */
  model: string;
  vector: Float32Array;
  /** How many chunks at most, 0 to MAX_NEAREST (nearest-chunks.ts). */
  k: number;
  /** Only chunks of these documents, when given (an empty list finds none). */
  document_ids?: readonly string[];
};

/** A chunk found near a query: `similarity` is the cosine of the two vectors, 1 for the same direction. */
export type NearestChunk = { chunk_id: string; document_id: string; similarity: number };
