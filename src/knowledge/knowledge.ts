import type { EntityManager } from '@mikro-orm/knex';
import type { Config } from '../config/config.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import { embeddingServerHealth } from '../llm/embedding-health.js';
import { rerank } from '../llm/rerank.js';
import type { Logger } from '../logger.js';
import { createEmbeddingSource, type EmbeddingSource } from './embedding-source.js';
import { startIndexer } from './indexer/run-indexer.js';
import { retrieve, type Reranker, type Retrieval } from './retrieval/retrieve.js';

/** Documents as knowledge: their indexing in the background, and retrieval for chats and queries. */
export type Knowledge = {
  embedding: EmbeddingSource | null;
  /** Look for documents to index now (after an upload or a reindex). */
  nudge: () => void;
  /** `maxTokens` lowers RETRIEVAL_MAX_TOKENS for one retrieval (a chat model with a small context). */
  retrieve: (
    em: EntityManager,
    input: { project_id: string; question: string; topK?: number; maxTokens?: number },
  ) => Promise<Retrieval>;
  /** The embedding server's state, for /health. */
  health: () => Promise<'connected' | 'disconnected' | 'loading' | 'disabled'>;
  stop: () => Promise<void>;
};

export function startKnowledge(deps: {
  config: Config;
  store: () => EventStore;
  holder: string;
  newId: () => string;
  logger: Logger;
}): Knowledge {
  const { config } = deps;
  const timeoutMs = config.llmTimeoutMs;
  const embedding = config.embeddingApiUrl === null ? null : createEmbeddingSource(config.embeddingApiUrl, timeoutMs);
  const rerankUrl = config.rerankApiUrl;
  const reranker: Reranker | null =
    rerankUrl === null
      ? null
      : async (question, texts) => {
          const scores = new Array<number>(texts.length).fill(-Infinity);
          for (const { index, score } of await rerank(rerankUrl, question, texts, { timeoutMs })) scores[index] = score;
          return scores;
        };
  const indexer = startIndexer({
    store: deps.store,
    embedding,
    chunkTokens: config.chunkTokens,
    chunkOverlap: config.chunkOverlap,
    leaseMs: config.knowledgeLeaseMs,
    holder: deps.holder,
    newId: deps.newId,
    logger: deps.logger.child({ component: 'knowledge-indexer' }),
  });
  const settings = {
    candidates: config.retrievalCandidates,
    topK: config.retrievalTopK,
    maxTokens: config.retrievalMaxTokens,
  };
  return {
    embedding,
    nudge: indexer.nudge,
    retrieve: (em, input) => retrieve({ em, embedding, rerank: reranker }, { ...input, settings }),
    async health() {
      if (config.embeddingApiUrl === null) return 'disabled';
      const status = await embeddingServerHealth(config.embeddingApiUrl, 2000);
      return status === 'ok' ? 'connected' : status === 'loading' ? 'loading' : 'disconnected';
    },
    stop: indexer.stop,
  };
}
