import { InputTooLargeError } from '../llm/embedding-errors.js';
import { embedTexts } from '../llm/embeddings.js';
import { tokenCounts } from '../llm/token-counts.js';
import { fetchJson } from '../llm/upstream-json.js';

/** llama.cpp's default physical batch (`-ub`): what an embedding server takes in one input unless started otherwise. */
const DEFAULT_BATCH_TOKENS = 512;
const SPECIAL_TOKENS = 8;

/** A chunk was larger than the embedding server takes: the document is cut again, smaller. */
export class ChunkTooLarge extends Error {}

/** The embedding server as the indexer and retrieval use it: its model, its tokenizer, its batch limit. */
export type EmbeddingSource = {
  /** The model the server serves (GET /v1/models), which vectors are kept by. */
  model: () => Promise<string>;
  /** Tokens an input may hold: llama.cpp's default, until the server said otherwise. */
  maxTokens: () => number;
  countTokens: (texts: string[]) => Promise<number[]>;
  embed: (texts: string[]) => Promise<Float32Array[]>;
};

export function createEmbeddingSource(baseUrl: string, timeoutMs: number): EmbeddingSource {
  let batchTokens = DEFAULT_BATCH_TOKENS;
  let model: { name: string; at: number } | null = null;
  return {
    async model() {
      if (model && Date.now() - model.at < 30_000) return model.name;
      const listing = (await fetchJson(`${baseUrl}/v1/models`, { method: 'GET' }, timeoutMs)) as {
        data?: { id?: unknown }[];
      } | null;
      const id = listing?.data?.[0]?.id;
      model = { name: typeof id === 'string' && id !== '' ? id : 'default', at: Date.now() };
      return model.name;
    },
    // A few tokens of room: an embedding model adds its special tokens (BOS, or CLS and SEP) to what /tokenize counts.
    maxTokens: () => batchTokens - SPECIAL_TOKENS,
    countTokens: (texts) => tokenCounts(baseUrl, texts, timeoutMs),
    async embed(texts) {
      try {
        return (await embedTexts(baseUrl, texts, { timeoutMs })).vectors;
      } catch (error) {
        if (error instanceof InputTooLargeError) {
          // An older build's message gives no batch size: halve, and learn again.
          batchTokens = Math.min(batchTokens, error.batchSize ?? Math.floor(batchTokens / 2));
          throw new ChunkTooLarge(error.message);
        }
        throw error;
      }
    },
  };
}
