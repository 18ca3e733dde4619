import { conflict, invalid } from '../shared/domain-error.js';
import { settingsIfAny } from '../shared/generation-settings.js';
import type { ImportConversation } from './conversation.commands.js';
import type { ConversationEvent } from './conversation.events.js';
import type { ConversationState } from './conversation.state.js';

const importedStatuses = new Set(['complete', 'failed', 'cancelled']);

/**
 * A conversation made whole: ConversationImported, then one MessageImported per message, in the order given. The
 * tree must hold together on its own: every parent an earlier message, a leaf exactly when there are messages.
 */
export function decideImport(command: ImportConversation, state: ConversationState): ConversationEvent[] {
  const { conversation_id, project_id, project_status, messages, current_leaf_id, settings, ...fields } = command.data;
  if (state.status === 'purged') throw conflict(`Conversation ${conversation_id} was purged; its id is not reused`);
  if (state.status !== 'missing') throw conflict(`Conversation ${conversation_id} already exists`);
  if (project_id !== null && project_status !== 'active') {
    throw invalid(`Project ${project_id} does not exist or is deleted`, '/project_id');
  }
  const seen = new Set<string>();
  for (const message of messages) {
    const { message_id, parent_message_id, status } = message;
    if (seen.has(message_id)) throw invalid(`Message ${message_id} is imported twice`);
    if (parent_message_id !== null && !seen.has(parent_message_id)) {
      throw invalid(`Message ${message_id} replies to ${parent_message_id}, which is not an earlier imported message`);
    }
    // A message still streaming would wait for an answer nobody is generating.
    if (!importedStatuses.has(status)) throw invalid(`Message ${message_id} cannot be imported ${status}`);
    seen.add(message_id);
  }
  if (current_leaf_id === null ? messages.length > 0 : !seen.has(current_leaf_id)) {
    throw invalid(`The current leaf must be one of the imported messages, and none only when there are none`);
  }
  return [
    {
      type: 'ConversationImported',
      data: { conversation_id, project_id, ...fields, current_leaf_id, ...settingsIfAny(settings) },
    },
    ...messages.map((message) => ({ type: 'MessageImported' as const, data: { conversation_id, ...message } })),
  ];
}
