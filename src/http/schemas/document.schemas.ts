import { Type } from 'typebox';
import { Cursor, IncludeDeleted, Limit, NullableTimestamp, nullable, Timestamp, Uuid } from './common.schemas.js';
import type { SchemaLimits } from './schema-limits.js';

/** Longest document name, in characters (a file name). */
export const MAX_DOCUMENT_NAME = 255;

export const TEXT_TYPES = ['text/plain', 'text/markdown', 'text/html'] as const;

export const DocumentStatus = Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')], {
  description:
    'processing: being cut into chunks and embedded (in the background, after the upload answered); ready: ' +
    'retrievable; failed: the file could not be read (`failure` says why); nothing else is affected',
});

export const DocumentSchema = Type.Object(
  {
    id: Uuid,
    project_id: Uuid,
    name: Type.String(),
    mime_type: Type.String({ description: 'text/plain, text/markdown, text/html or application/pdf' }),
    size: Type.Integer({ description: 'Bytes of the file as uploaded' }),
    pages: nullable(Type.Integer({ description: 'Pages of a PDF; null for other types' })),
    chunks: Type.Integer(),
    status: DocumentStatus,
    failure: nullable(Type.String()),
    progress: Type.Object(
      { embedded: Type.Integer(), chunks: Type.Integer() },
      { additionalProperties: false, description: 'Chunks embedded out of all chunks' },
    ),
    embedding: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')], {
      description: 'disabled when no EMBEDDING_API_URL is set: the document is found by full text only',
    }),
    embedding_model: nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
    deleted_at: NullableTimestamp,
  },
  { additionalProperties: false, title: 'Document' },
);

export const DocumentList = Type.Object(
  { documents: Type.Array(DocumentSchema) },
  { additionalProperties: false, title: 'DocumentsAdded' },
);

export const Chunk = Type.Object(
  {
    id: Type.String(),
    document_id: Uuid,
    index: Type.Integer({ description: 'Position in the document, from 0' }),
    text: Type.String(),
    start: Type.Integer({ description: 'Offset of its first character in the extracted text (UTF-16)' }),
    end: Type.Integer(),
    tokens: Type.Integer({ description: "Tokens by the embedding server's tokenizer (an estimate without one)" }),
    pages: Type.Array(Type.Integer()),
    heading: Type.Array(Type.String(), { description: 'The heading path it sits under (Markdown, HTML)' }),
    embedded: Type.Boolean(),
  },
  { additionalProperties: false, title: 'Chunk' },
);

export function documentInputSchemas(limits: SchemaLimits) {
  const DocumentTextBody = Type.Object(
    {
      name: Type.String({
        minLength: 1,
        maxLength: MAX_DOCUMENT_NAME,
        pattern: '\\S',
        description: `1 to ${MAX_DOCUMENT_NAME} characters`,
      }),
      content: Type.String({ description: 'The text; at most MAX_DOCUMENT_BYTES bytes as UTF-8' }),
      mime_type: Type.Optional(
        Type.Union(
          TEXT_TYPES.map((t) => Type.Literal(t)),
          { default: 'text/plain' },
        ),
      ),
    },
    { additionalProperties: false, title: 'DocumentText' },
  );
  const DocumentUpload = Type.Object(
    {
      file: Type.Array(Type.String({ format: 'binary' }), {
        description:
          'One or more files (parts named "file", each with a file name): plain text, Markdown, HTML or PDF ' +
          '(its text layer; no OCR), each at most MAX_DOCUMENT_BYTES',
      }),
    },
    { title: 'DocumentUpload' },
  );
  const DocumentListQuery = Type.Object(
    {
      limit: Type.Optional(Limit(limits.maxPageSize, 50, 'MAX_PAGE_SIZE')),
      cursor: Type.Optional(Cursor),
      include_deleted: Type.Optional(IncludeDeleted),
    },
    { additionalProperties: false },
  );
  const ChunkListQuery = Type.Object(
    { limit: Type.Optional(Limit(limits.maxPageSize, 50, 'MAX_PAGE_SIZE')), cursor: Type.Optional(Cursor) },
    { additionalProperties: false },
  );
  return { DocumentTextBody, DocumentUpload, DocumentListQuery, ChunkListQuery };
}

export const DocumentGetQuery = Type.Object(
  { include_deleted: Type.Optional(IncludeDeleted) },
  { additionalProperties: false },
);
