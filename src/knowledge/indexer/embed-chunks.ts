import type { EntityManager } from '@mikro-orm/knex';
import { documentDecider } from '../../domain/document/document.decider.js';
import type { DocumentState } from '../../domain/document/document.state.js';
import type { CommandOptions } from '../../commands/handle-command.js';
import { decideOnStream, forget, remember } from '../../commands/handle-command.js';
import { appendToStream, type EventStore } from '../../event-store/append-to-stream.js';
import { removeVectors } from '../vector-index/remove-vectors.js';
import { storeVectors } from '../vector-index/store-vectors.js';
import { chunksWithVectors, textHash, vectorsOfTexts } from '../vector-index/vectors-by-text.js';
import { chunksToEmbed } from './pending-work.js';

export type Embedder = {
  model: string;
  embed: (texts: string[]) => Promise<Float32Array[]>;
};

/**
 * Embeds up to `batchSize` chunks of a document that have no vector of the embedder's model, and stores their
 * vectors with the event saying so, in one transaction: after a crash, a chunk either has both or neither, so none
 * is embedded twice. A text the model has a vector of already (the same text in another chunk, or in the cut before
 * a reindex) takes that vector, unsent. `after` is where the last batch of this run ended, moved past this batch's
 * chunks. Returns how many chunks got a vector (0: the document is done).
 */
export async function embedNextChunks(
  store: EventStore,
  documentId: string,
  projectId: string,
  embedder: Embedder,
  batchSize: number,
  options: CommandOptions,
  after: { ord: number } = { ord: -1 },
): Promise<number> {
  const chunks = await chunksToEmbed(store.em, documentId, embedder.model, batchSize, after.ord);
  if (chunks.length === 0) return 0;
  after.ord = chunks.at(-1)!.ord;
  const hashes = chunks.map((chunk) => textHash(chunk.text));
  const vectors = await vectorsOfTexts(store.em, embedder.model, hashes);
  const unknown = chunks.filter((_, i) => !vectors.has(hashes[i]!));
  const made = unknown.length === 0 ? [] : await embedder.embed(unknown.map((chunk) => chunk.text));
  unknown.forEach((chunk, i) => vectors.set(textHash(chunk.text), made[i]!));

  const stream = { id: documentId, type: 'document' as const };
  const chunk_ids = chunks.map((chunk) => chunk.id);
  const command = {
    type: 'RecordEmbeddedChunks' as const,
    data: { document_id: documentId, model: embedder.model, chunk_ids },
  };
  const { events, version, state } = await decideOnStream(store, documentDecider, stream, command, options);
  if (events.length === 0) return 0;
  const cut = lastCutIfDone(state, embedder.model, chunk_ids);
  try {
    await appendToStream(store, {
      streamId: documentId,
      streamType: 'document',
      expected: version,
      events,
      metadata: options.metadata,
      alongside: async (tx) => {
        const entries = chunks.map((chunk, i) => ({
          chunk_id: chunk.id,
          document_id: documentId,
          project_id: projectId,
          vector: vectors.get(hashes[i]!)!,
          text_hash: hashes[i]!,
        }));
        await storeVectors(tx, embedder.model, entries);
        if (cut) await dropEarlierCuts(tx, documentId, cut);
      },
    });
  } catch (error) {
    forget(options, stream);
    throw error;
  }
  // The next batch folds only what was appended after this one, not the document's whole stream (text and all).
  remember(options, stream, version + events.length, events.reduce(documentDecider.evolve, state));
  return chunks.length;
}

/** The chunk ids of the document's last cut when these chunks are the last of it without a vector of `model`. */
function lastCutIfDone(state: DocumentState, model: string, chunkIds: string[]): ReadonlySet<string> | null {
  if (!('chunk_ids' in state) || state.chunk_ids === null) return null;
  const embedded = new Set([...(state.embedded.get(model) ?? []), ...chunkIds]);
  return [...state.chunk_ids].every((id) => embedded.has(id)) ? state.chunk_ids : null;
}

/** The vectors of the cuts before a reindex were kept until now for their texts; the last cut has its own. */
async function dropEarlierCuts(tx: EntityManager, documentId: string, cut: ReadonlySet<string>): Promise<void> {
  const earlier = (await chunksWithVectors(tx, documentId)).filter((id) => !cut.has(id));
  await removeVectors(tx, { chunk_ids: earlier });
}
