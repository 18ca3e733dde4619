import type { AddDocument, DocumentCommand } from '../domain/document/document.commands.js';
import { documentDecider } from '../domain/document/document.decider.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import { appendToStreams } from '../event-store/append-to-streams.js';
import type { StoredEvent } from '../event-store/stored-event.js';
import { keepFile } from '../knowledge/document-files.js';
import { decideOnStream, handleCommand, remember, type CommandOptions } from './handle-command.js';
import { projectStatus } from './project-status.js';

/** A command on the stream of the document it names. */
export const runDocumentCommand = (store: EventStore, command: DocumentCommand, options: CommandOptions) =>
  handleCommand(store, documentDecider, { id: command.data.document_id, type: 'document' }, command, options);

export type AddDocumentInput = Omit<AddDocument['data'], 'project_status'> & { bytes: Uint8Array };

/**
 * Records uploaded files, each with its bytes and what was read from it, in one transaction: all of them or none.
 * The documents' ids are new, made by this server: no one else writes their streams, so there is nothing to retry.
 */
export async function addDocuments(
  store: EventStore,
  inputs: readonly AddDocumentInput[],
  options: CommandOptions,
): Promise<StoredEvent[]> {
  const decided = [];
  for (const { bytes, ...data } of inputs) {
    const stream = { id: data.document_id, type: 'document' as const };
    const decision = await decideOnStream(
      store,
      documentDecider,
      stream,
      async (em): Promise<AddDocument> => ({
        type: 'AddDocument',
        data: { ...data, project_status: await projectStatus(em, data.project_id) },
      }),
      {},
    );
    decided.push({ ...decision, stream, bytes, sha256: data.sha256 });
  }
  const appended = await appendToStreams(
    store,
    decided.map(({ stream, events, bytes, sha256 }) => ({
      streamId: stream.id,
      streamType: stream.type,
      expected: 'no_stream' as const,
      events,
      metadata: options.metadata,
      alongside: (tx) => keepFile(tx, sha256, bytes),
    })),
  );
  for (const { stream, events, state } of decided) {
    remember(options, stream, events.length, events.reduce(documentDecider.evolve, state));
  }
  return appended;
}

/** Records one uploaded file (see addDocuments). */
export const addDocument = (store: EventStore, input: AddDocumentInput, options: CommandOptions) =>
  addDocuments(store, [input], options);
