import { runDocumentCommand } from '../../commands/document-command.js';
import type { CommandOptions } from '../../commands/handle-command.js';
import type { ChunkCut } from '../../domain/document/document.events.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import type { EventStore } from '../../event-store/append-to-stream.js';
import { ConcurrencyError } from '../../event-store/expected-version.js';
import { chunkText } from '../chunk-text.js';
import { textOf } from './pending-work.js';

export type Cutting = {
  chunkTokens: number;
  overlapTokens: number;
  /** What the embedding server takes in one batch (its n_ubatch). */
  maxTokens: number;
  /** `embedding:<model>`, or `estimate`. */
  tokenizer: string;
  countTokens: (texts: string[]) => Promise<number[]>;
  newId: () => string;
};

/** Cuts a document's text into chunks and records them; false when there was nothing to cut or another cut it. */
export async function cutDocument(
  store: EventStore,
  documentId: string,
  cutting: Cutting,
  options: CommandOptions,
): Promise<boolean> {
  const text = await textOf(store.em, documentId);
  if (!text) return false;
  const pieces = await chunkText(text, {
    chunkTokens: cutting.chunkTokens,
    overlapTokens: cutting.overlapTokens,
    maxTokens: cutting.maxTokens,
    countTokens: cutting.countTokens,
  });
  const chunks: ChunkCut[] = pieces.map((piece) => ({ chunk_id: cutting.newId(), ...piece }));
  const chunking = {
    chunk_tokens: cutting.chunkTokens,
    overlap_tokens: cutting.overlapTokens,
    max_tokens: cutting.maxTokens,
    tokenizer: cutting.tokenizer,
  };
  try {
    await runDocumentCommand(
      store,
      { type: 'RecordChunks', data: { document_id: documentId, chunking, chunks } },
      options,
    );
    return true;
  } catch (error) {
    // Cut by another process meanwhile, or purged: its state stands.
    if (error instanceof ConcurrencyError || error instanceof DomainError) return false;
    throw error;
  }
}
