import { conversationDecider } from '../domain/conversation/conversation.decider.js';
import { documentDecider } from '../domain/document/document.decider.js';
import { projectDecider } from '../domain/project/project.decider.js';
import type { DomainEvent } from '../domain/domain-event.js';
import type { Decider } from '../domain/shared/decider.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import { eraseStreams, type Erasure } from '../event-store/erase-streams.js';
import type { StoredEvent } from '../event-store/stored-event.js';
import { dropUnnamedFiles } from '../knowledge/document-files.js';
import { removeVectors } from '../knowledge/vector-index/remove-vectors.js';
import type { VectorsToRemove } from '../knowledge/vector-index/types.js';
import { conversationIdsOf } from '../queries/conversation.queries.js';
import { documentsOfProject } from '../queries/document.queries.js';
import {
  decidedAgainOnConflict,
  decideOnStream,
  forget,
  type CommandOptions,
  type StreamRef,
} from './handle-command.js';

/** Erases a conversation for good: its events and read rows, leaving its tombstone, which it returns. */
export async function purgeConversation(
  store: EventStore,
  id: string,
  options: CommandOptions,
): Promise<StoredEvent[]> {
  return decidedAgainOnConflict(options, async () => {
    const erasure = await decideErasure(
      store,
      conversationDecider,
      { id, type: 'conversation' },
      options.expectedVersion,
      {
        type: 'PurgeConversation',
        data: { conversation_id: id },
      },
    );
    return erase(store, [erasure], options);
  });
}

/**
 * Erases a project and every conversation and document in it, soft-deleted ones too, in one transaction; returns the
 * tombstones.
 */
export async function purgeProject(store: EventStore, id: string, options: CommandOptions): Promise<StoredEvent[]> {
  return decidedAgainOnConflict(options, () => decideProjectErasure(store, id, options));
}

async function decideProjectErasure(store: EventStore, id: string, options: CommandOptions): Promise<StoredEvent[]> {
  const project = await decideErasure(store, projectDecider, { id, type: 'project' }, options.expectedVersion, {
    type: 'PurgeProject',
    data: { project_id: id },
  });
  const streams: Erasure[] = [];
  for (const conversationId of await conversationIdsOf(store.em, id)) {
    streams.push(
      await decideErasure(store, conversationDecider, { id: conversationId, type: 'conversation' }, undefined, {
        type: 'PurgeConversation',
        data: { conversation_id: conversationId },
      }),
    );
  }
  const documents = await documentsOfProject(store.em, id);
  for (const document of documents) {
    streams.push(
      await decideErasure(store, documentDecider, { id: document.id, type: 'document' }, undefined, {
        type: 'PurgeDocument',
        data: { document_id: document.id },
      }),
    );
  }
  const files = documents.map((d) => d.sha256);
  return erase(store, [...streams, project], options, files, { project_id: id });
}

/** Erases a document for good: its text, chunks and vectors, and its file unless another document holds the same. */
export async function purgeDocument(
  store: EventStore,
  id: string,
  sha256: string,
  options: CommandOptions,
): Promise<StoredEvent[]> {
  return decidedAgainOnConflict(options, async () => {
    const erasure = await decideErasure(store, documentDecider, { id, type: 'document' }, options.expectedVersion, {
      type: 'PurgeDocument',
      data: { document_id: id },
    });
    return erase(store, [erasure], options, [sha256], { document_id: id });
  });
}

/** The tombstone a decider puts in place of a stream, decided on the path every command takes. */
async function decideErasure<C, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  stream: StreamRef,
  expectedVersion: number | undefined,
  command: C,
): Promise<Erasure> {
  // The id of a stream of another type names nothing of this type: its decider finds nothing to purge (404).
  const { events, version } = await decideOnStream(store, decider, stream, command, {
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
  });
  return { streamId: stream.id, streamType: stream.type, expected: version, tombstone: events[0]! };
}

async function erase(
  store: EventStore,
  erasures: Erasure[],
  options: CommandOptions,
  files: readonly string[] = [],
  vectors?: VectorsToRemove,
): Promise<StoredEvent[]> {
  const tombstones = await eraseStreams(
    store,
    erasures,
    options.metadata,
    files.length === 0 && !vectors
      ? undefined
      : async (tx) => {
          await dropUnnamedFiles(tx, files);
          if (vectors) await removeVectors(tx, vectors);
        },
  );
  // Folded states hold titles and metadata: nothing of an erased stream stays in memory.
  for (const { streamId, streamType } of erasures) forget(options, { id: streamId, type: streamType });
  return tombstones;
}
