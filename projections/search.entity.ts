import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * What full-text search finds: the text of a message, or a conversation's title (then `message_id` is null and `id`
 * is the conversation's). The index over `body` is the database's own (migrations 0007): an FTS5 table on SQLite,
 * a generated tsvector column with a GIN index on PostgreSQL.
 */
export const SearchDocumentView = defineEntity({
  name: 'SearchDocumentView',
  tableName: 'search_documents',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    conversation_id: p.string().length(64),
    message_id: p.string().length(64).nullable(),
    role: p.string().length(16).nullable(),
    body: p.text(),
  }),
});
export type SearchDocumentRow = InferEntity<typeof SearchDocumentView>;
