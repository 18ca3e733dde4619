import type { ImportConversation } from '../domain/conversation/conversation.commands.js';
import { conversationDecider } from '../domain/conversation/conversation.decider.js';
import type { AppendRequest, EventStore } from '../event-store/append-to-stream.js';
import { appendToStreams } from '../event-store/append-to-streams.js';
import type { StoredEvent } from '../event-store/stored-event.js';
import { decideOnStream, type CommandOptions } from './handle-command.js';

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
    const stream = { id: command.data.conversation_id, type: 'conversation' as const };
    // Not cached: each stream is new, and most are never commanded again by this process.
    const { events, version } = await decideOnStream(store, conversationDecider, stream, command, {});
    requests.push({
      streamId: stream.id,
      streamType: stream.type,
      expected: version === 0 ? 'no_stream' : version,
      events,
      metadata: options.metadata,
    });
  }
  // Thousands of rows at once, as in a rebuild: each row is written once, in multi-row statements (batched-writes.ts).
  const buffered: EventStore = {
    ...store,
    projectInline: (tx, events) => store.projectInline(tx, events, 'batched'),
  };
  return appendToStreams(buffered, requests);
}
