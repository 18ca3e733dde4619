import { conflict, notFound } from '../shared/domain-error.js';
import type { ForkConversation } from './conversation.commands.js';
import type { ConversationEvent } from './conversation.events.js';
import type { ConversationState } from './conversation.state.js';

/**
 * A fork copies the branch root -> `message_id` of a conversation shown: the message must be in it, and no message
 * of that branch may still be streaming (its copy would wait for an answer nobody writes). The source is not changed.
 */
export function decideFork(command: ForkConversation, state: ConversationState): ConversationEvent[] {
  const { conversation_id, message_id, project_status } = command.data;
  // Not shown: deleted, or in a deleted project.
  if (state.status !== 'active' || project_status === 'deleted') {
    throw notFound(`Conversation ${conversation_id} not found`);
  }
  if (!state.messages.has(message_id)) {
    throw notFound(`Message ${message_id} not found in conversation ${conversation_id}`);
  }
  const branch: string[] = [];
  for (let id: string | null = message_id; id !== null; id = state.messages.get(id)?.parent_message_id ?? null) {
    branch.unshift(id);
  }
  const streaming = branch.find((id) => state.messages.get(id)!.status === 'streaming');
  if (streaming) throw conflict(`Message ${streaming} is still being generated; fork once it has ended`);
  return [];
}
