import { addDocuments, runDocumentCommand } from '../../commands/document-command.js';
import { purgeDocument } from '../../commands/purge.js';
import { projectStatus } from '../../commands/project-status.js';
import type { DocumentCommand } from '../../domain/document/document.commands.js';
import { ACCEPTED_TYPES, acceptedType, typeOfBytes, type AcceptedType } from '../../knowledge/extract/index.js';
import { fileBytes } from '../../knowledge/document-files.js';
import { readUpload } from '../../knowledge/read-upload.js';
import { findDocument, listChunks, listDocuments } from '../../queries/document.queries.js';
import type { AppContext } from '../app-state.js';
import { answer, commandOptions, eventStore } from '../command-context.js';
import { HttpProblem, notFoundProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { IdParams, Page } from '../schemas/common.schemas.js';
import {
  Chunk,
  DocumentGetQuery,
  documentInputSchemas,
  DocumentList,
  DocumentSchema,
  MAX_DOCUMENT_NAME,
} from '../schemas/document.schemas.js';
import type { SchemaLimits } from '../schemas/schema-limits.js';
import { readMultipartFiles, type UploadedFile } from '../uploads/read-multipart.js';
import { missing, modified, ok, etagHeader, preconditionFailed } from './responses.js';
import { softDeleteRoutes } from './soft-delete.routes.js';
import { Type } from 'typebox';

const tags = ['Documents'];

/** Where documents are uploaded; its body may be multipart or a larger JSON (app.ts). */
export const DOCUMENT_UPLOAD_PATH = /^\/api\/projects\/[^/]+\/documents$/;

/** A document's text sent as JSON is escaped: its bytes may take up to six characters each, and the rest. */
export const jsonDocumentLimit = (maxDocumentBytes: number) => maxDocumentBytes * 6 + 65_536;

/** Files in one multipart upload, at most. */
const MAX_FILES = 20;

const reading = (ctx: AppContext) => ({ embeddingEnabled: ctx.state.services.config.embeddingApiUrl !== null });

const run = (ctx: AppContext, command: DocumentCommand) =>
  runDocumentCommand(eventStore(ctx), command, commandOptions(ctx));

async function load(ctx: AppContext, id: string, includeDeleted = false) {
  const found = await findDocument(ctx.state.em, id, reading(ctx), includeDeleted);
  if (!found) throw notFoundProblem(`Document ${id} not found`);
  return found;
}

type Upload = { name: string; type: AcceptedType; bytes: Uint8Array };

const unsupported = (name: string, declared: string) =>
  new HttpProblem(
    415,
    'unsupported-media-type',
    `${name}: ${declared} is not a type documents take; accepted: ${ACCEPTED_TYPES.join(', ')} (or a file name ending ` +
      'in .txt, .md, .html or .pdf)',
  );

/** The files of the request, each with its accepted type; any file of another type refuses the whole upload. */
async function uploadsOf(ctx: AppContext, body: unknown): Promise<Upload[]> {
  const { maxDocumentBytes } = ctx.state.services.config;
  if (ctx.is('multipart/form-data')) {
    const files = await readMultipartFiles(ctx.req, {
      maxFileBytes: maxDocumentBytes,
      maxFiles: MAX_FILES,
      maxNameLength: MAX_DOCUMENT_NAME,
    });
    return files.map((file: UploadedFile) => {
      const type = acceptedType(file.declaredType, file.name);
      if (type === null) throw unsupported(file.name, file.declaredType);
      return { name: file.name, type: typeOfBytes(type, file.bytes), bytes: file.bytes };
    });
  }
  if (body === undefined) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Send the body as application/json or multipart/form-data');
  }
  const text = body as { name: string; content: string; mime_type?: AcceptedType };
  const bytes = Buffer.from(text.content, 'utf8');
  if (bytes.byteLength > maxDocumentBytes) {
    throw new HttpProblem(
      413,
      'payload-too-large',
      `content is larger than MAX_DOCUMENT_BYTES (${maxDocumentBytes} bytes)`,
    );
  }
  return [{ name: text.name.trim(), type: text.mime_type ?? 'text/plain', bytes }];
}

export function documentRoutes(limits: SchemaLimits): RouteSpec[] {
  const { DocumentTextBody, DocumentUpload, DocumentListQuery, ChunkListQuery } = documentInputSchemas(limits);
  return [
    defineRoute({
      method: 'post',
      path: '/api/projects/:id/documents',
      operationId: 'addDocuments',
      summary: 'Put documents into a project: files as multipart/form-data, or a text as JSON',
      description:
        'Each file is kept as uploaded (downloadable), its text read at once (a PDF by its text layer, no OCR; ' +
        'Markdown and HTML with their headings), then cut into chunks and embedded in the background: the answer ' +
        'comes first, with each document `processing`. A file that cannot be read (a corrupt PDF, one without ' +
        'text, an empty file) is kept and shows `failed` with the reason. A file of a type not taken, or over ' +
        'MAX_DOCUMENT_BYTES, refuses the whole upload (415, 413) and nothing is stored.',
      tags,
      params: IdParams,
      body: DocumentTextBody,
      otherBodies: { 'multipart/form-data': DocumentUpload },
      responses: {
        201: ok(DocumentList, 'The documents recorded, in the order of the upload'),
        404: missing('project'),
        413: { description: 'A file is larger than MAX_DOCUMENT_BYTES, or there are more than 20' },
        415: { description: 'A file is of a type documents do not take; the answer lists those they do' },
      },
      async handle(ctx, { params, body }) {
        const projectId = params.id;
        // Before the body is read: an upload to no project is refused without taking its bytes.
        if ((await projectStatus(ctx.state.em, projectId)) !== 'active') {
          throw notFoundProblem(`Project ${projectId} not found`);
        }
        const uploads = await uploadsOf(ctx, body);
        const read = [];
        for (const upload of uploads) read.push({ upload, ...(await readUpload(upload.bytes, upload.type)) });
        const inputs = read.map(({ upload, read: outcome, sha256, size, mime_type }) => ({
          document_id: ctx.state.services.newId(),
          project_id: projectId,
          name: upload.name,
          mime_type,
          size,
          sha256,
          read: outcome,
          bytes: upload.bytes,
        }));
        // All the files of an upload or none: a refusal part-way (the project deleted meanwhile) stores nothing.
        await addDocuments(eventStore(ctx), inputs, commandOptions(ctx));
        const ids = inputs.map((input) => input.document_id);
        ctx.state.services.knowledge.nudge();
        const documents = [];
        for (const id of ids) documents.push((await load(ctx, id)).document);
        ctx.set('Location', `/api/documents/${ids[0]}`);
        answer(ctx, 201, { documents });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects/:id/documents',
      operationId: 'listDocuments',
      summary: "List a project's documents, newest first",
      tags,
      params: IdParams,
      query: DocumentListQuery,
      responses: { 200: ok(Page(DocumentSchema, 'DocumentPage'), 'A page of documents'), 404: missing('project') },
      async handle(ctx, { params, query }) {
        if ((await projectStatus(ctx.state.em, params.id)) === 'missing') {
          throw notFoundProblem(`Project ${params.id} not found`);
        }
        const page = await listDocuments(
          ctx.state.em,
          params.id,
          { limit: query.limit ?? 50, cursor: query.cursor, include_deleted: query.include_deleted ?? false },
          reading(ctx),
        );
        answer(ctx, 200, page);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/documents/:id',
      operationId: 'getDocument',
      summary: 'Get a document: its status, progress and counts',
      tags,
      params: IdParams,
      query: DocumentGetQuery,
      responses: { 200: { ...ok(DocumentSchema, 'The document'), headers: etagHeader }, 404: missing('document') },
      async handle(ctx, { params, query }) {
        const { document, version } = await load(ctx, params.id, query.include_deleted);
        answer(ctx, 200, document, version);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/documents/:id/content',
      operationId: 'downloadDocument',
      summary: 'Download a document as it was uploaded',
      tags,
      params: IdParams,
      query: DocumentGetQuery,
      responses: {
        200: {
          description: 'The file as uploaded, in its own type, named in Content-Disposition',
          contentType: 'application/pdf',
          schema: Type.String({ format: 'binary' }),
          otherContent: {
            'text/plain': Type.String(),
            'text/markdown': Type.String(),
            'text/html': Type.String(),
          },
        },
        404: missing('document'),
      },
      async handle(ctx, { params, query }) {
        const { document, sha256 } = await load(ctx, params.id, query.include_deleted);
        const bytes = await fileBytes(ctx.state.em, sha256);
        if (!bytes) throw notFoundProblem(`Document ${params.id} not found`);
        ctx.status = 200;
        ctx.type = document.mime_type;
        ctx.set('Content-Disposition', contentDisposition(document.name));
        ctx.body = bytes;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/documents/:id/chunks',
      operationId: 'listDocumentChunks',
      summary: "List a document's chunks in text order, with their pages and headings",
      tags,
      params: IdParams,
      query: ChunkListQuery,
      responses: { 200: ok(Page(Chunk, 'ChunkPage'), 'A page of chunks'), 404: missing('document') },
      async handle(ctx, { params, query }) {
        await load(ctx, params.id, true);
        answer(ctx, 200, await listChunks(ctx.state.em, params.id, { limit: query.limit ?? 50, cursor: query.cursor }));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/documents/:id/reindex',
      operationId: 'reindexDocument',
      summary: 'Cut and embed a document again (after CHUNK_TOKENS, CHUNK_OVERLAP or the embedding model changed)',
      tags,
      params: IdParams,
      ifMatch: true,
      responses: {
        200: modified(DocumentSchema, 'The document, processing again'),
        404: missing('document'),
        412: preconditionFailed,
      },
      async handle(ctx, { params }) {
        await run(ctx, { type: 'ReindexDocument', data: { document_id: params.id } });
        ctx.state.services.knowledge.nudge();
        const { document, version } = await load(ctx, params.id, true);
        answer(ctx, 200, document, version);
      },
    }),
    ...softDeleteRoutes({
      path: '/api/documents/:id',
      noun: 'document',
      operationNoun: 'Document',
      tags,
      schema: DocumentSchema,
      deleteSummary: 'Soft-delete a document (retrieval leaves it out), or erase it for good (?purge=true)',
      purgeScope: 'the document with its file, its name, its text, its chunks and their vectors',
      purge: async (ctx, id) => {
        const { sha256 } = await load(ctx, id, true);
        return purgeDocument(eventStore(ctx), id, sha256, commandOptions(ctx));
      },
      remove: (ctx, id) => run(ctx, { type: 'DeleteDocument', data: { document_id: id } }),
      restore: (ctx, id) => run(ctx, { type: 'RestoreDocument', data: { document_id: id } }),
      load: async (ctx, id) => {
        const { document, version } = await load(ctx, id);
        return { body: document, version };
      },
    }),
  ];
}

/** `attachment` with the name as given (RFC 6266: an ASCII fallback and the UTF-8 name). */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
