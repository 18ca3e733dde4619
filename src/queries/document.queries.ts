import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';
import type { DocumentRow, KnowledgeChunkRow } from '../../projections/knowledge.entity.js';
import { decodeCursor, toPage, type Page } from './cursor.js';

export type DocumentStatus = 'processing' | 'ready' | 'failed';

export type DocumentResponse = {
  id: string;
  project_id: string;
  name: string;
  mime_type: string;
  size: number;
  pages: number | null;
  chunks: number;
  status: DocumentStatus;
  /** Why it failed, when it did. */
  failure: string | null;
  /** Chunks with a vector out of all; `embedding` says whether vectors are made at all (EMBEDDING_API_URL). */
  progress: { embedded: number; chunks: number };
  embedding: 'enabled' | 'disabled';
  embedding_model: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
};

/** How documents are read: whether an embedding server is configured decides when one is ready. */
export type DocumentReading = { embeddingEnabled: boolean };

const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

export function documentStatus(row: DocumentRow, reading: DocumentReading): DocumentStatus {
  if (row.failure != null) return 'failed';
  if (!Number(row.chunked)) return 'processing';
  if (reading.embeddingEnabled && Number(row.embedded_count) < Number(row.chunk_count)) return 'processing';
  return 'ready';
}

function toResponse(row: DocumentRow, reading: DocumentReading): DocumentResponse {
  return {
    id: row.id,
    project_id: row.project_id,
    name: row.name,
    mime_type: row.mime_type,
    size: Number(row.size),
    pages: row.page_count === null ? null : Number(row.page_count),
    chunks: Number(row.chunk_count),
    status: documentStatus(row, reading),
    failure: row.failure ?? null,
    progress: { embedded: Number(row.embedded_count), chunks: Number(row.chunk_count) },
    embedding: reading.embeddingEnabled ? 'enabled' : 'disabled',
    embedding_model: row.embedding_model ?? null,
    created_at: row.created_at,
    updated_at: row.updated_at,
    deleted_at: row.deleted_at ?? null,
  };
}

/** A document with its stream version, or null; a soft-deleted one only when asked for. */
export async function findDocument(
  em: EntityManager,
  id: string,
  reading: DocumentReading,
  includeDeleted = false,
): Promise<{ document: DocumentResponse; sha256: string; version: number } | null> {
  const [row] = await runSql<DocumentRow>(em, 'select * from documents where id = ?', [id]);
  if (!row || (row.deleted_at != null && !includeDeleted)) return null;
  return { document: toResponse(row, reading), sha256: row.sha256, version: Number(row.version) };
}

/** A project's documents, newest first. */
export async function listDocuments(
  em: EntityManager,
  projectId: string,
  query: { limit: number; cursor?: string; include_deleted: boolean },
  reading: DocumentReading,
): Promise<Page<DocumentResponse>> {
  const where = ['project_id = ?'];
  const params: (string | number)[] = [projectId];
  if (!query.include_deleted) where.push('deleted_at is null');
  if (query.cursor) {
    const [createdAt, id] = decodeCursor<[string, string]>(query.cursor, ['string', 'string']);
    where.push('(created_at < ? or (created_at = ? and id < ?))');
    params.push(createdAt, createdAt, id);
  }
  const rows = await runSql<DocumentRow>(
    em,
    `select * from documents where ${where.join(' and ')} order by created_at desc, id desc limit ?`,
    [...params, query.limit + 1],
  );
  return toPage(
    rows,
    query.limit,
    (row) => toResponse(row, reading),
    (row) => [row.created_at, row.id],
  );
}

export type ChunkResponse = {
  id: string;
  document_id: string;
  index: number;
  text: string;
  start: number;
  end: number;
  tokens: number;
  pages: number[];
  heading: string[];
  embedded: boolean;
};

export const toChunkResponse = (row: KnowledgeChunkRow): ChunkResponse => ({
  id: row.id,
  document_id: row.document_id,
  index: Number(row.ord),
  text: row.text,
  start: Number(row.char_start),
  end: Number(row.char_end),
  tokens: Number(row.tokens),
  pages: parseJson<number[]>(row.pages),
  heading: parseJson<string[]>(row.heading),
  embedded: row.embedded_model != null,
});

/** A document's chunks in text order. */
export async function listChunks(
  em: EntityManager,
  documentId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<ChunkResponse>> {
  const after = query.cursor ? decodeCursor<[number]>(query.cursor, ['number'])[0] : -1;
  const rows = await runSql<KnowledgeChunkRow>(
    em,
    `select id, document_id, ord, text, char_start, char_end, tokens, pages, heading, embedded_model
     from knowledge_chunks where document_id = ? and ord > ? order by ord limit ?`,
    [documentId, after, query.limit + 1],
  );
  return toPage(rows, query.limit, toChunkResponse, (row) => [Number(row.ord)]);
}

/** Every document of a project (soft-deleted ones too), for its purge. */
export async function documentsOfProject(
  em: EntityManager,
  projectId: string,
): Promise<{ id: string; sha256: string }[]> {
  return runSql(em, 'select id, sha256 from documents where project_id = ? order by id', [projectId]);
}

/** Live documents and their chunks in a project, for its statistics. */
export async function knowledgeCounts(
  em: EntityManager,
  projectId: string,
): Promise<{ document_count: number; chunk_count: number }> {
  const [row] = await runSql<{ documents: number | string; chunks: number | string | null }>(
    em,
    `select count(*) as documents, coalesce(sum(chunk_count), 0) as chunks
     from documents where project_id = ? and deleted_at is null`,
    [projectId],
  );
  return { document_count: Number(row?.documents ?? 0), chunk_count: Number(row?.chunks ?? 0) };
}
