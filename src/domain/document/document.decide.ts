import { assertNever } from '../shared/assert-never.js';
import { conflict, invalidField, notFound } from '../shared/domain-error.js';
import type { DocumentCommand } from './document.commands.js';
import type { DocumentEvent } from './document.events.js';
import type { DocumentState } from './document.state.js';

export function decideDocument(command: DocumentCommand, state: DocumentState): DocumentEvent[] {
  switch (command.type) {
    case 'AddDocument': {
      const { read, project_status, ...file } = command.data;
      if (state.status !== 'missing') throw conflict(`Document ${file.document_id} already exists`);
      if (project_status !== 'active') throw notFound(`Project ${file.project_id} not found`);
      const { document_id, project_id } = file;
      return [
        { type: 'DocumentAdded', data: file },
        read.kind === 'text'
          ? {
              type: 'DocumentTextExtracted',
              data: { document_id, project_id, text: read.text, pages: read.pages, sections: read.sections },
            }
          : { type: 'DocumentUnreadable', data: { document_id, project_id, reason: read.reason } },
      ];
    }
    case 'RecordChunks': {
      const current = requireExisting(state, command.data.document_id);
      if (!current.readable) throw conflict(`Document ${command.data.document_id} has no text to cut`);
      // Another indexer cut it first: its chunks stand.
      if (current.chunk_ids !== null) throw conflict(`Document ${command.data.document_id} is already cut`);
      return [{ type: 'DocumentChunked', data: { ...command.data, project_id: current.project_id } }];
    }
    case 'RecordEmbeddedChunks': {
      const current = requireExisting(state, command.data.document_id);
      const { document_id, model } = command.data;
      const done = current.embedded.get(model);
      const fresh = [...new Set(command.data.chunk_ids)].filter(
        (id) => current.chunk_ids?.has(id) === true && done?.has(id) !== true,
      );
      if (fresh.length === 0) return [];
      return [
        {
          type: 'DocumentChunksEmbedded',
          data: { document_id, project_id: current.project_id, model, chunk_ids: fresh },
        },
      ];
    }
    case 'ReindexDocument': {
      const current = requireExisting(state, command.data.document_id);
      if (!current.readable) {
        const message = 'the document has no text to index; upload it again as a readable file';
        throw invalidField({ in: 'params', pointer: '/id', message });
      }
      return [{ type: 'DocumentReindexRequested', data: { ...command.data, project_id: current.project_id } }];
    }
    case 'DeleteDocument': {
      const current = requireExisting(state, command.data.document_id);
      return current.status === 'deleted'
        ? []
        : [{ type: 'DocumentDeleted', data: { ...command.data, project_id: current.project_id } }];
    }
    case 'RestoreDocument': {
      const current = requireExisting(state, command.data.document_id);
      return current.status === 'active'
        ? []
        : [{ type: 'DocumentRestored', data: { ...command.data, project_id: current.project_id } }];
    }
    case 'PurgeDocument':
      requireExisting(state, command.data.document_id);
      return [{ type: 'DocumentPurged', data: command.data }];
    default:
      return assertNever(command);
  }
}

function requireExisting(state: DocumentState, id: string) {
  if (state.status === 'missing' || state.status === 'purged') throw notFound(`Document ${id} not found`);
  return state;
}
