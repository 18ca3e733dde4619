import type { AddDocument, DocumentCommand } from '../domain/document/document.commands.js';
import { documentDecider } from '../domain/document/document.decider.js';
import { appendToStream, type EventStore } from '../event-store/append-to-stream.js';
import type { StoredEvent } from '../event-store/stored-event.js';
import { keepFile } from '../knowledge/document-files.js';
import { decideOnStream, handleCommand, remember, type CommandOptions } from './handle-command.js';
import { projectStatus } from './project-status.js';

/** A command on the stream of the document it names. */
export const runDocumentCommand = (store: EventStore, command: DocumentCommand, options: CommandOptions) =>
  handleCommand(store, documentDecider, { id: command.data.document_id, type: 'document' }, command, options);

export type AddDocumentInput = Omit<AddDocument['data'], 'project_status'> & { bytes: Uint8Array };

/**
 * Records an uploaded file: its bytes and what was read from it, in one transaction. The document's id is new, made
 * by this server: no one else writes its stream, so there is nothing to retry.
 */
export async function addDocument(
  store: EventStore,
  input: AddDocumentInput,
  options: CommandOptions,
): Promise<StoredEvent[]> {
  const { bytes, ...data } = input;
  const stream = { id: data.document_id, type: 'document' as const };
  const { events, state } = await decideOnStream(
    store,
    documentDecider,
    stream,
    async (em): Promise<AddDocument> => ({
      type: 'AddDocument',
      data: { ...data, project_status: await projectStatus(em, data.project_id) },
    }),
    {},
  );
  const appended = await appendToStream(store, {
    streamId: stream.id,
    streamType: stream.type,
    expected: 'no_stream',
    events,
    metadata: options.metadata,
    alongside: (tx) => keepFile(tx, data.sha256, bytes),
  });
  remember(options, stream, appended.length, events.reduce(documentDecider.evolve, state));
  return appended;
}
