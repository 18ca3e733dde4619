import type { MessageRow } from '../../projections/message.entity.js';
import type { ImportConversation, ProjectStatus } from '../domain/conversation/conversation.commands.js';
import type { ImportedMessage } from '../domain/conversation/conversation.events.js';
import type { ConversationResponse } from '../queries/conversation.queries.js';
import { exportedMessage } from './export-document.js';

export type ForkRequest = {
  source: ConversationResponse;
  /** The branch root -> the message forked at, none of it streaming. */
  branch: readonly MessageRow[];
  conversation_id: string;
  newId: () => string;
  now: string;
  title: string | null;
  project_id: string | null;
  project_status: ProjectStatus | null;
};

/**
 * A new conversation holding copies of the branch up to a message: new ids, everything else as it was (text,
 * outcome, reaction, counts, model, timings, times). Its metadata says where it came from, in `forked_from`.
 */
export function forkCommand(request: ForkRequest): ImportConversation {
  const { source, branch } = request;
  const at = branch.at(-1)!;
  const ids = branch.map(() => request.newId());
  const messages = branch.map((message, i): ImportedMessage => {
    const { id: _id, parent_message_id: _parent, status, ...fields } = exportedMessage(message);
    return {
      ...fields,
      message_id: ids[i]!,
      parent_message_id: i === 0 ? null : ids[i - 1]!,
      // The route refuses a branch with an answer still streaming.
      status: status as ImportedMessage['status'],
    };
  });
  const forked_from = { conversation_id: source.id, message_id: at.id };
  return {
    type: 'ImportConversation',
    data: {
      conversation_id: request.conversation_id,
      project_id: request.project_id,
      project_status: request.project_status,
      title: request.title,
      metadata: { ...source.metadata, forked_from },
      created_at: request.now,
      updated_at: request.now,
      current_leaf_id: ids.at(-1)!,
      source: { kind: 'fork', ...forked_from },
      settings: source.settings,
      messages,
    },
  };
}
