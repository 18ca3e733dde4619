import type { ImportConversation } from '../domain/conversation/conversation.commands.js';
import type { ImportedMessage } from '../domain/conversation/conversation.events.js';
import type { ExportDocument, ExportedConversation, ExportedMessage } from './export-format.js';
import type { ImportContext } from './import-context.js';
import { ImportError } from './import-error.js';
import { checkMetadata } from './metadata-check.js';
import { isoFromText } from './timestamps.js';

/**
 * An export of this API (already valid against ExportDocument) as one import per conversation, under new ids: every
 * message, branch, outcome, reaction, count, model, timing and time kept as it was. Errors point into the document.
 */
export function importsFromExport(document: ExportDocument, context: ImportContext): ImportConversation[] {
  if (document.conversations.length === 0) throw new ImportError('/conversations', 'holds no conversation to import');
  return document.conversations.map((conversation, i) => importOf(conversation, `/conversations/${i}`, context));
}

function importOf(conversation: ExportedConversation, at: string, context: ImportContext): ImportConversation {
  checkMetadata(conversation.metadata, `${at}/metadata`, context);
  if (conversation.title !== null && [...conversation.title].length > context.maxTitleLength) {
    throw new ImportError(`${at}/title`, `must be at most ${context.maxTitleLength} characters (MAX_TITLE_LENGTH)`);
  }
  const newIds = new Map<string, string>();
  const messages = conversation.messages.map((message, j) => {
    const here = `${at}/messages/${j}`;
    if (newIds.has(message.id)) throw new ImportError(`${here}/id`, 'is the id of an earlier message');
    const parent = message.parent_message_id === null ? null : newIds.get(message.parent_message_id);
    if (parent === undefined) {
      throw new ImportError(`${here}/parent_message_id`, 'must be the id of an earlier message of this conversation');
    }
    const id = context.newId();
    newIds.set(message.id, id);
    return importedMessage(message, id, parent, here);
  });
  const leaf = conversation.current_leaf_id;
  const current_leaf_id = leaf === null ? null : newIds.get(leaf);
  if (current_leaf_id === undefined || (current_leaf_id === null && messages.length > 0)) {
    throw new ImportError(
      `${at}/current_leaf_id`,
      'must be the id of one of its messages (null only when it has none)',
    );
  }
  return {
    type: 'ImportConversation',
    data: {
      conversation_id: context.newId(),
      project_id: context.project_id,
      project_status: context.project_status,
      title: conversation.title,
      metadata: conversation.metadata,
      created_at: isoFromText(conversation.created_at, `${at}/created_at`),
      updated_at: isoFromText(conversation.updated_at, `${at}/updated_at`),
      current_leaf_id,
      source: { kind: 'export', conversation_id: conversation.id },
      settings: conversation.settings ?? {},
      messages,
    },
  };
}

function importedMessage(
  message: ExportedMessage,
  message_id: string,
  parent_message_id: string | null,
  at: string,
): ImportedMessage {
  const fields = {
    message_id,
    parent_message_id,
    role: message.role,
    content: message.content,
    reasoning: message.reasoning ?? null,
    reaction: message.reaction,
    token_count: message.token_count,
    model_name: message.model_name,
    completion_time_ms: message.completion_time_ms,
    created_at: isoFromText(message.created_at, `${at}/created_at`),
    updated_at: isoFromText(message.updated_at, `${at}/updated_at`),
  };
  if (message.status !== 'streaming') {
    return { ...fields, status: message.status, finish_reason: message.finish_reason, metadata: message.metadata };
  }
  // Nobody will finish it here: it is kept as an answer cut off by a crash is, with its text so far.
  const error = 'The answer was still being generated when it was exported';
  return {
    ...fields,
    status: 'failed',
    finish_reason: null,
    metadata: { ...message.metadata, error, error_type: 'interrupted' },
  };
}
