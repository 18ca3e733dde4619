import type { NearestChunk } from './types.js';

/** Whether a hit ranks before `other`: the more similar first, then the smaller chunk id (by UTF-16 code units). */
export const ranksBefore = (similarity: number, chunkId: string, other: NearestChunk): boolean =>
  similarity > other.similarity || (similarity === other.similarity && chunkId < other.chunk_id);

export type TopK = {
  /** Keeps the hit if it is among the best `k` so far; builds no object for one that is not. */
  offer: (similarity: number, chunkId: string, documentId: string) => void;
  /** The best `k`, best first. */
  best: () => NearestChunk[];
};

/** The best `k` hits of those offered, in one sorted list of at most `k` (k is small: a prompt's worth of chunks). */
export function topK(k: number): TopK {
  const hits: NearestChunk[] = [];
  return {
    offer(similarity, chunkId, documentId) {
      if (k === 0) return;
      if (hits.length === k && !ranksBefore(similarity, chunkId, hits[k - 1]!)) return;
      let low = 0;
      let high = hits.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (ranksBefore(similarity, chunkId, hits[middle]!)) high = middle;
        else low = middle + 1;
      }
      hits.splice(low, 0, { chunk_id: chunkId, document_id: documentId, similarity });
      if (hits.length > k) hits.pop();
    },
    best: () => [...hits],
  };
}
