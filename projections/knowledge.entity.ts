import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * A document of a project as listings show it. Its status is read from these columns with the configured embedding
 * (src/queries/document.queries.ts): failed when `failure` is set, ready once cut (and embedded, when embeddings are
 * on), processing before.
 */
export const DocumentView = defineEntity({
  name: 'DocumentView',
  tableName: 'documents',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    project_id: p.string().length(64),
    name: p.text(),
    mime_type: p.string().length(64),
    size: p.integer(),
    sha256: p.string().length(64),
    failure: p.text().nullable(),
    page_count: p.integer().nullable(),
    /** 1 once the text is cut (0 also while it waits to be cut again). */
    chunked: p.integer(),
    chunk_count: p.integer(),
    /** Chunks of the last cut with a vector of `embedding_model`. */
    embedded_count: p.integer(),
    embedding_model: p.text().nullable(),
    tokenizer: p.text().nullable(),
    created_at: p.string().length(32),
    updated_at: p.string().length(32),
    deleted_at: p.string().length(32).nullable(),
    version: p.integer(),
  }),
  indexes: [{ properties: ['project_id', 'created_at'] }],
});
export type DocumentRow = InferEntity<typeof DocumentView>;

/** The text extracted from a document, which its chunks are cut from. */
export const DocumentTextView = defineEntity({
  name: 'DocumentTextView',
  tableName: 'document_texts',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    project_id: p.string().length(64),
    text: p.text(),
    pages: p.json<{ page: number; start: number; end: number }[] | null>().nullable(),
    sections: p.json<{ heading: string[]; start: number; end: number }[]>(),
  }),
});
export type DocumentTextRow = InferEntity<typeof DocumentTextView>;

/**
 * A chunk of a document's text: what retrieval ranks. The full-text index over `text` is the database's own
 * (migration 0012): FTS5 on SQLite, a generated tsvector on PostgreSQL. Vectors are in the vector index, by id.
 */
export const KnowledgeChunkView = defineEntity({
  name: 'KnowledgeChunkView',
  tableName: 'knowledge_chunks',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    document_id: p.string().length(64),
    project_id: p.string().length(64),
    ord: p.integer(),
    text: p.text(),
    char_start: p.integer(),
    char_end: p.integer(),
    tokens: p.integer(),
    pages: p.json<number[]>(),
    heading: p.json<string[]>(),
    embedded_model: p.text().nullable(),
  }),
  indexes: [{ properties: ['document_id', 'ord'] }, { properties: ['project_id'] }],
});
export type KnowledgeChunkRow = InferEntity<typeof KnowledgeChunkView>;
