import { withRowBuffer } from '../../projections/row-buffer.js';
import type { ImportConversation } from '../domain/conversation/conversation.commands.js';
import { conversationDecider } from '../domain/conversation/conversation.decider.js';
import type { ConversationEvent } from '../domain/conversation/conversation.events.js';
import { conflict } from '../domain/shared/domain-error.js';
import type { AppendRequest, EventStore } from '../event-store/append-to-stream.js';
import { appendToStreams } from '../event-store/append-to-streams.js';
import { readStream } from '../event-store/read-stream.js';
import type { StoredEvent } from '../event-store/stored-event.js';
import type { CommandOptions } from './handle-command.js';

/**
 * Decides each import on its own conversation's stream, then appends them all in one transaction: every
 * conversation of the file is created, or none is. Returns the appended events.
 */
export async function importConversations(
  store: EventStore,
  commands: readonly ImportConversation[],
  options: CommandOptions,
): Promise<StoredEvent[]> {
  const requests: AppendRequest[] = [];
  for (const command of commands) {
    const streamId = command.data.conversation_id;
    const history = (await readStream(store.em, streamId)) as StoredEvent<ConversationEvent>[];
    const foreign = history.find((e) => e.stream_type !== 'conversation');
    if (foreign) throw conflict(`Id ${streamId} already belongs to a ${foreign.stream_type}`);
    const state = history.reduce(conversationDecider.evolve, conversationDecider.initialState());
    const version = history.at(-1)?.stream_version ?? 0;
    requests.push({
      streamId,
      streamType: 'conversation',
      expected: version === 0 ? 'no_stream' : version,
      events: conversationDecider.decide(command, state),
      metadata: options.metadata,
    });
  }
  // Thousands of rows at once, as in a rebuild: each row is written once, in multi-row statements (row-buffer.ts).
  const buffered: EventStore = {
    ...store,
    projectInline: (tx, events) => withRowBuffer(tx, () => store.projectInline(tx, events)),
  };
  return appendToStreams(buffered, requests);
}
