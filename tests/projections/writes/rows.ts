import type { RowOf } from '../../../projections/read-model-writes.js';

/** A conversation row as ConversationCreated makes it, at `at`. */
export const conversationRow = (id: string, at = '2025-01-15T10:00:00.000Z'): RowOf<'conversations'> => ({
  id,
  project_id: null,
  title: 'First title',
  metadata: { tag: 'kept', nested: { n: 1 } },
  settings: {},
  created_at: at,
  updated_at: at,
  deleted_at: null,
  last_message_at: null,
  activity_at: at,
  message_count: 0,
  current_leaf_id: null,
  version: 1,
});

/** A search document for a message of `conversation_id`. */
export const searchRow = (id: string, conversation_id: string, body: string): RowOf<'search_documents'> => ({
  id,
  conversation_id,
  message_id: id,
  role: 'user',
  body,
});
