import type { MessageRow } from '../../projections/message.entity.js';
import type { ImportConversation, ProjectStatus } from '../domain/conversation/conversation.commands.js';
import type { ImportedMessage } from '../domain/conversation/conversation.events.js';
import type { ConversationResponse } from '../queries/conversation.queries.js';

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
  const messages = branch.map((message, i): ImportedMessage => ({
    message_id: ids[i]!,
    parent_message_id: i === 0 ? null : ids[i - 1]!,
    role: message.role as ImportedMessage['role'],
    content: message.content,
    status: message.status as ImportedMessage['status'],
    finish_reason: (message.finish_reason ?? null) as ImportedMessage['finish_reason'],
    reaction: (message.reaction ?? null) as ImportedMessage['reaction'],
    token_count: message.token_count ?? null,
    model_name: message.model_name ?? null,
    completion_time_ms: message.completion_time_ms ?? null,
    metadata: message.metadata,
    created_at: message.created_at,
    updated_at: message.updated_at,
  }));
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
      messages,
    },
  };
}
