import type { MessageRow } from '../../projections/message.entity.js';
import type { ConversationResponse } from '../queries/conversation.queries.js';
import type { ProjectResponse } from '../queries/project.queries.js';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportDocument,
  type ExportedConversation,
  type ExportedMessage,
} from './export-format.js';

export type ConversationWithMessages = { conversation: ConversationResponse; messages: MessageRow[] };

/** Conversations as an export document: every message of every branch, as the read models hold it. */
export function exportDocument(
  exportedAt: string,
  project: ProjectResponse | null,
  conversations: readonly ConversationWithMessages[],
): ExportDocument {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exported_at: exportedAt,
    project: project && {
      id: project.id,
      name: project.name,
      description: project.description ?? null,
      metadata: project.metadata,
      settings: project.settings,
      created_at: project.created_at,
      updated_at: project.updated_at,
    },
    conversations: conversations.map(exportedConversation),
  };
}

function exportedConversation({ conversation, messages }: ConversationWithMessages): ExportedConversation {
  return {
    id: conversation.id,
    title: conversation.title ?? null,
    project_id: conversation.project_id ?? null,
    metadata: conversation.metadata,
    settings: conversation.settings,
    created_at: conversation.created_at,
    updated_at: conversation.updated_at,
    current_leaf_id: conversation.current_leaf_id ?? null,
    messages: messages.map(exportedMessage),
  };
}

/** A message row as an export carries it: every field, with its own id. */
export function exportedMessage(row: MessageRow): ExportedMessage {
  return {
    id: row.id,
    parent_message_id: row.parent_message_id ?? null,
    role: row.role as ExportedMessage['role'],
    content: row.content,
    reasoning: row.reasoning ?? null,
    status: row.status as ExportedMessage['status'],
    finish_reason: (row.finish_reason ?? null) as ExportedMessage['finish_reason'],
    reaction: (row.reaction ?? null) as ExportedMessage['reaction'],
    token_count: row.token_count ?? null,
    model_name: row.model_name ?? null,
    completion_time_ms: row.completion_time_ms ?? null,
    metadata: row.metadata,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
