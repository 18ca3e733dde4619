import { assertNever } from '../src/domain/shared/assert-never.js';
import type { Projector } from './projector.js';
import { increment } from './read-model-writes.js';

/**
 * Documents, their text and their chunks. Chunk text is cut from the document's text row by the spans the indexer
 * recorded, so the log holds each text once. Vectors are not here: they live in the vector index, by chunk id, and
 * survive a rebuild (src/knowledge/vector-index); DocumentChunksEmbedded says which chunks have one.
 */
export const knowledgeProjector: Projector = {
  name: 'knowledge',
  owns: ['documents', 'document_texts', 'knowledge_chunks'],
  async project(writes, event) {
    const at = event.created_at;
    const version = event.stream_version;
    switch (event.type) {
      case 'DocumentAdded': {
        const { document_id: id, project_id, name, mime_type, size, sha256 } = event.data;
        await writes.insert('documents', {
          id,
          project_id,
          name,
          mime_type,
          size,
          sha256,
          failure: null,
          page_count: null,
          chunked: 0,
          chunk_count: 0,
          embedded_count: 0,
          embedding_model: null,
          tokenizer: null,
          created_at: at,
          updated_at: at,
          deleted_at: null,
          version,
        });
        return;
      }
      case 'DocumentTextExtracted': {
        const { document_id: id, project_id, text, pages, sections } = event.data;
        await writes.insert('document_texts', { id, project_id, text, pages, sections });
        await writes.update('documents', id, { page_count: pages?.length ?? null, updated_at: at, version });
        return;
      }
      case 'DocumentUnreadable':
        await writes.update('documents', event.data.document_id, {
          failure: event.data.reason,
          updated_at: at,
          version,
        });
        return;
      case 'DocumentChunked': {
        const { document_id, project_id, chunking, chunks } = event.data;
        const { text } = await writes.row('document_texts', document_id, ['text']);
        await writes.delete('knowledge_chunks', 'document_id', document_id);
        let ord = 0;
        for (const chunk of chunks) {
          await writes.insert('knowledge_chunks', {
            id: chunk.chunk_id,
            document_id,
            project_id,
            ord: ord++,
            text: text.slice(chunk.start, chunk.end),
            char_start: chunk.start,
            char_end: chunk.end,
            tokens: chunk.tokens,
            pages: chunk.pages,
            heading: chunk.heading,
            embedded_model: null,
          });
        }
        await writes.update('documents', document_id, {
          chunked: 1,
          chunk_count: chunks.length,
          embedded_count: 0,
          embedding_model: null,
          tokenizer: chunking.tokenizer,
          updated_at: at,
          version,
        });
        return;
      }
      case 'DocumentChunksEmbedded': {
        const { document_id, model, chunk_ids } = event.data;
        for (const id of chunk_ids) await writes.update('knowledge_chunks', id, { embedded_model: model });
        const { embedding_model } = await writes.row('documents', document_id, ['embedding_model']);
        await writes.update('documents', document_id, {
          embedded_count: embedding_model === model ? increment(chunk_ids.length) : chunk_ids.length,
          embedding_model: model,
          updated_at: at,
          version,
        });
        return;
      }
      case 'DocumentReindexRequested': {
        const { document_id } = event.data;
        await writes.delete('knowledge_chunks', 'document_id', document_id);
        await writes.update('documents', document_id, {
          chunked: 0,
          chunk_count: 0,
          embedded_count: 0,
          embedding_model: null,
          tokenizer: null,
          updated_at: at,
          version,
        });
        return;
      }
      case 'DocumentDeleted':
      case 'DocumentRestored':
        await writes.update('documents', event.data.document_id, {
          deleted_at: event.type === 'DocumentDeleted' ? at : null,
          updated_at: at,
          version,
        });
        return;
      case 'DocumentPurged': {
        const { document_id } = event.data;
        await writes.delete('knowledge_chunks', 'document_id', document_id);
        await writes.delete('document_texts', 'id', document_id);
        await writes.delete('documents', 'id', document_id);
        return;
      }
      case 'ProjectCreated':
      case 'ProjectUpdated':
      case 'ProjectSettingsChanged':
      case 'ProjectDeleted':
      case 'ProjectRestored':
      case 'ProjectPurged':
      case 'ConversationCreated':
      case 'ConversationImported':
      case 'ConversationRenamed':
      case 'ConversationMoved':
      case 'ConversationMetadataChanged':
      case 'ConversationSettingsChanged':
      case 'ConversationDeleted':
      case 'ConversationRestored':
      case 'ConversationPurged':
      case 'UserMessagePosted':
      case 'MessageImported':
      case 'AssistantResponseStarted':
      case 'AssistantResponseProgressed':
      case 'MessageCompleted':
      case 'MessageFailed':
      case 'MessageCancelled':
      case 'MessageReactionChanged':
      case 'CurrentLeafSelected':
        return;
      case 'AnswerSourcesFound':
        return;
      default:
        assertNever(event);
    }
  },
};
