import type { EventStore } from '../../event-store/append-to-stream.js';
import { runDocumentCommand } from '../../commands/document-command.js';
import type { CommandOptions } from '../../commands/handle-command.js';
import { createStreamStateCache } from '../../commands/stream-state-cache.js';
import type { Logger } from '../../logger.js';
import { estimateTokenCounts } from '../chunk-text.js';
import { ChunkTooLarge, type EmbeddingSource } from '../embedding-source.js';
import { cutDocument } from './cut-document.js';
import { embedNextChunks } from './embed-chunks.js';
import { claimLease, releaseLease } from './leases.js';
import { documentsCutWithOtherTokenizer, documentsToCut, documentsToEmbed } from './pending-work.js';
import { runSql } from '../../db/run-sql.js';

/** The background indexing of documents: cut, then embedded, resumed after a restart or an outage. */
export type KnowledgeIndexer = {
  /** Something changed (an upload, a reindex): look for work now rather than at the next poll. */
  nudge: () => void;
  stop: () => Promise<void>;
};

export type IndexerOptions = {
  store: () => EventStore;
  embedding: EmbeddingSource | null;
  chunkTokens: number;
  chunkOverlap: number;
  /** Who holds a lease: this process, unique per start. */
  holder: string;
  newId: () => string;
  logger: Logger;
  /** How often other processes' uploads are looked for. */
  pollMs?: number;
  leaseMs?: number;
  /** Chunks per request to the embedding server. */
  batchSize?: number;
};

const METADATA = { request_id: 'knowledge-indexer', correlation_id: 'knowledge-indexer' };
const MAX_BACKOFF_MS = 30_000;

export function startIndexer(options: IndexerOptions): KnowledgeIndexer {
  const { logger, holder } = options;
  const pollMs = options.pollMs ?? 5000;
  const leaseMs = options.leaseMs ?? 30_000;
  const batchSize = options.batchSize ?? 16;
  let stopped = false;
  let wake: (() => void) | null = null;
  let nudged = false;
  let backoffMs = 0;
  // The documents being worked on, folded: each batch of a document reads only the events after the last.
  const commandOptions: CommandOptions = { metadata: METADATA, stateCache: createStreamStateCache(32) };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  /** Runs `work` on a document while holding its lease; false when another process holds it. */
  async function leased(store: EventStore, documentId: string, work: (renew: () => Promise<boolean>) => Promise<void>) {
    const renew = () => claimLease(store.em, documentId, holder, leaseMs, Date.now());
    if (!(await renew())) return false;
    try {
      await work(renew);
    } finally {
      await releaseLease(store.em, documentId, holder);
    }
    return true;
  }

  /**
   * One look for work; true when something was done, so another look follows at once. A document leased by another
   * process is no work done: looking again at once would spin until that lease is released or expires.
   */
  async function pass(): Promise<boolean> {
    const store = options.store();
    const source = options.embedding;
    const model = source ? await source.model() : null;
    const tokenizer = model === null ? 'estimate' : `embedding:${model}`;
    let worked = false;
    if (model !== null) {
      for (const id of await documentsCutWithOtherTokenizer(store.em, tokenizer, 20)) {
        const done = await leased(store, id, () =>
          runDocumentCommand(store, { type: 'ReindexDocument', data: { document_id: id } }, commandOptions).then(
            () => {},
          ),
        );
        worked ||= done;
      }
    }
    for (const id of await documentsToCut(store.em, 10)) {
      const done = await leased(store, id, async () => {
        await cutDocument(
          store,
          id,
          {
            chunkTokens: options.chunkTokens,
            overlapTokens: options.chunkOverlap,
            maxTokens: source?.maxTokens() ?? Number.MAX_SAFE_INTEGER,
            tokenizer,
            countTokens: source ? (texts) => source.countTokens(texts) : async (texts) => estimateTokenCounts(texts),
            newId: options.newId,
          },
          commandOptions,
        );
      });
      worked ||= done;
    }
    if (source && model !== null) {
      for (const id of await documentsToEmbed(store.em, model, 10)) {
        const projectId = await projectOf(store, id);
        if (projectId === null) continue;
        const done = await leased(store, id, async (renew) => {
          const embedder = { model, embed: (texts: string[]) => source.embed(texts) };
          const after = { ord: -1 };
          try {
            while (
              !stopped &&
              (await embedNextChunks(store, id, projectId, embedder, batchSize, commandOptions, after)) > 0
            ) {
              if (!(await renew())) return;
            }
          } catch (error) {
            if (!(error instanceof ChunkTooLarge)) throw error;
            logger.info({ document_id: id, max_tokens: source.maxTokens() }, 'document cut again, smaller');
            await runDocumentCommand(store, { type: 'ReindexDocument', data: { document_id: id } }, commandOptions);
          }
        });
        worked ||= done;
      }
    }
    return worked;
  }

  const loop = (async () => {
    while (!stopped) {
      nudged = false;
      try {
        const worked = await pass();
        backoffMs = 0;
        if (worked || nudged) continue;
        await sleep(pollMs);
      } catch (error) {
        if (stopped) break;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs === 0 ? 500 : backoffMs * 2);
        logger.warn({ err: error, retry_ms: backoffMs }, 'knowledge indexing paused');
        await sleep(backoffMs);
      }
    }
  })();

  return {
    nudge() {
      nudged = true;
      // While backing off from an outage, a nudge does not hurry the retry.
      if (backoffMs === 0) wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

async function projectOf(store: EventStore, documentId: string): Promise<string | null> {
  const [row] = await runSql<{ project_id: string }>(store.em, 'select project_id from documents where id = ?', [
    documentId,
  ]);
  return row?.project_id ?? null;
}
