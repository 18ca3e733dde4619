import type { ChunkCut, Chunking, TextPage, TextSection } from './document.events.js';
import type { ProjectStatus } from '../conversation/conversation.commands.js';

/** What was read from the file: its text, or why there is none. */
export type ReadOutcome =
  | { kind: 'text'; text: string; pages: TextPage[] | null; sections: TextSection[] }
  | { kind: 'unreadable'; reason: string };

export type AddDocument = {
  type: 'AddDocument';
  data: {
    document_id: string;
    project_id: string;
    name: string;
    mime_type: string;
    size: number;
    sha256: string;
    read: ReadOutcome;
    /** Where the project stands, looked up by the command layer: documents go into active projects only. */
    project_status: ProjectStatus;
  };
};
export type RecordChunks = {
  type: 'RecordChunks';
  data: { document_id: string; chunking: Chunking; chunks: ChunkCut[] };
};
export type RecordEmbeddedChunks = {
  type: 'RecordEmbeddedChunks';
  data: { document_id: string; model: string; chunk_ids: string[] };
};
export type ReindexDocument = { type: 'ReindexDocument'; data: { document_id: string } };
export type DeleteDocument = { type: 'DeleteDocument'; data: { document_id: string } };
export type RestoreDocument = { type: 'RestoreDocument'; data: { document_id: string } };
export type PurgeDocument = { type: 'PurgeDocument'; data: { document_id: string } };

export type DocumentCommand =
  | AddDocument
  | RecordChunks
  | RecordEmbeddedChunks
  | ReindexDocument
  | DeleteDocument
  | RestoreDocument
  | PurgeDocument;
