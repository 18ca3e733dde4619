import { conversationDecider } from '../domain/conversation/conversation.decider.js';
import { projectDecider } from '../domain/project/project.decider.js';
import type { DomainEvent, StreamType } from '../domain/domain-event.js';
import type { Decider } from '../domain/shared/decider.js';
import { notFound } from '../domain/shared/domain-error.js';
import type { EventStore } from '../event-store/append-to-stream.js';
import { eraseStreams, type Erasure } from '../event-store/erase-streams.js';
import { ConcurrencyError } from '../event-store/expected-version.js';
import { readStream } from '../event-store/read-stream.js';
import type { StoredEvent } from '../event-store/stored-event.js';
import { conversationIdsOf } from '../queries/conversation.queries.js';
import type { CommandOptions } from './handle-command.js';

/** Erases a conversation for good: its events and read rows, leaving its tombstone, which it returns. */
export async function purgeConversation(
  store: EventStore,
  id: string,
  options: CommandOptions,
): Promise<StoredEvent[]> {
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
}

/** Erases a project and every conversation in it, soft-deleted ones too, in one transaction; returns the tombstones. */
export async function purgeProject(store: EventStore, id: string, options: CommandOptions): Promise<StoredEvent[]> {
  const project = await decideErasure(store, projectDecider, { id, type: 'project' }, options.expectedVersion, {
    type: 'PurgeProject',
    data: { project_id: id },
  });
  const conversations: Erasure[] = [];
  for (const conversationId of await conversationIdsOf(store.em, id)) {
    conversations.push(
      await decideErasure(store, conversationDecider, { id: conversationId, type: 'conversation' }, undefined, {
        type: 'PurgeConversation',
        data: { conversation_id: conversationId },
      }),
    );
  }
  return erase(store, [...conversations, project], options);
}

async function decideErasure<C, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  stream: { id: string; type: StreamType },
  expectedVersion: number | undefined,
  command: C,
): Promise<Erasure> {
  const history = (await readStream(store.em, stream.id)) as StoredEvent<E>[];
  // The id of a stream of another type names nothing of this type.
  if (history.some((e) => e.stream_type !== stream.type))
    throw notFound(`${capitalised(stream.type)} ${stream.id} not found`);
  const version = history.at(-1)?.stream_version ?? 0;
  if (expectedVersion !== undefined && expectedVersion !== version) {
    throw new ConcurrencyError(stream.id, expectedVersion, version);
  }
  const state = history.reduce(decider.evolve, decider.initialState());
  const [tombstone] = decider.decide(command, state);
  return { streamId: stream.id, streamType: stream.type, expected: version, tombstone: tombstone! };
}

async function erase(store: EventStore, erasures: Erasure[], options: CommandOptions): Promise<StoredEvent[]> {
  const tombstones = await eraseStreams(store, erasures, options.metadata);
  // Folded states hold titles and metadata: nothing of an erased stream stays in memory.
  for (const { streamId, streamType } of erasures) options.stateCache?.take(`${streamType}:${streamId}`);
  return tombstones;
}

const capitalised = (word: string) => word[0]!.toUpperCase() + word.slice(1);
