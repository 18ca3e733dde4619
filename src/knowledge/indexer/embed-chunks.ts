import { documentDecider } from '../../domain/document/document.decider.js';
import type { CommandOptions } from '../../commands/handle-command.js';
import { decideOnStream, forget, remember } from '../../commands/handle-command.js';
import { appendToStream, type EventStore } from '../../event-store/append-to-stream.js';
import { storeVectors } from '../vector-index/store-vectors.js';
import { chunksToEmbed } from './pending-work.js';

export type Embedder = {
  model: string;
  embed: (texts: string[]) => Promise<Float32Array[]>;
};

/**
 * Embeds up to `batchSize` chunks of a document that have no vector of the embedder's model, and stores their
 * vectors with the event saying so, in one transaction: after a crash, a chunk either has both or neither, so none
 * is embedded twice. `after` is where the last batch of this run ended, moved past this batch's chunks. Returns how
 * many were embedded (0: the document is done).
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
  const vectors = await embedder.embed(chunks.map((chunk) => chunk.text));
  const stream = { id: documentId, type: 'document' as const };
  const command = {
    type: 'RecordEmbeddedChunks' as const,
    data: { document_id: documentId, model: embedder.model, chunk_ids: chunks.map((chunk) => chunk.id) },
  };
  const { events, version, state } = await decideOnStream(store, documentDecider, stream, command, options);
  if (events.length === 0) return 0;
  try {
    await appendToStream(store, {
      streamId: documentId,
      streamType: 'document',
      expected: version,
      events,
      metadata: options.metadata,
      alongside: (tx) =>
        storeVectors(
          tx,
          embedder.model,
          chunks.map((chunk, i) => ({
            chunk_id: chunk.id,
            document_id: documentId,
            project_id: projectId,
            vector: vectors[i]!,
          })),
        ),
    });
  } catch (error) {
    forget(options, stream);
    throw error;
  }
  // The next batch folds only what was appended after this one, not the document's whole stream (text and all).
  remember(options, stream, version + events.length, events.reduce(documentDecider.evolve, state));
  return chunks.length;
}
