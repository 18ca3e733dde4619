/** A span of the extracted text: [start, end) in UTF-16 code units. */
export type TextPage = { page: number; start: number; end: number };
export type TextSection = { heading: string[]; start: number; end: number };

/** A chunk as the indexer cut it: its span of the extracted text, its size in the embedding tokenizer's tokens. */
export type ChunkCut = {
  chunk_id: string;
  start: number;
  end: number;
  tokens: number;
  pages: number[];
  heading: string[];
};

/** How a document's chunks were cut, so a change of settings or tokenizer can be told from the log. */
export type Chunking = {
  chunk_tokens: number;
  overlap_tokens: number;
  max_tokens: number;
  /** `embedding:<model>` when counted by the embedding server's tokenizer, `estimate` without one. */
  tokenizer: string;
};

/** A file put into a project; its bytes are kept, content-addressed by `sha256`, in the same transaction. */
export type DocumentAdded = {
  type: 'DocumentAdded';
  data: { document_id: string; project_id: string; name: string; mime_type: string; size: number; sha256: string };
};
/** The text read from the file, with its pages (PDF) and heading paths (Markdown, HTML). */
export type DocumentTextExtracted = {
  type: 'DocumentTextExtracted';
  data: { document_id: string; project_id: string; text: string; pages: TextPage[] | null; sections: TextSection[] };
};
/** The file could not be read (a corrupt PDF, no text layer, no text at all): it stays, failed, with the reason. */
export type DocumentUnreadable = {
  type: 'DocumentUnreadable';
  data: { document_id: string; project_id: string; reason: string };
};
/** The text cut into chunks; replaces the chunks of an earlier cut. */
export type DocumentChunked = {
  type: 'DocumentChunked';
  data: { document_id: string; project_id: string; chunking: Chunking; chunks: ChunkCut[] };
};
/** Chunks whose vectors (by `model`) are now in the vector index. */
export type DocumentChunksEmbedded = {
  type: 'DocumentChunksEmbedded';
  data: { document_id: string; project_id: string; model: string; chunk_ids: string[] };
};
/** Asked to be cut and embedded again (new chunk settings, another embedding model). */
export type DocumentReindexRequested = {
  type: 'DocumentReindexRequested';
  data: { document_id: string; project_id: string };
};
export type DocumentDeleted = { type: 'DocumentDeleted'; data: { document_id: string; project_id: string } };
export type DocumentRestored = { type: 'DocumentRestored'; data: { document_id: string; project_id: string } };
/** The tombstone of an erased document: only its id. */
export type DocumentPurged = { type: 'DocumentPurged'; data: { document_id: string } };

export type DocumentEvent =
  | DocumentAdded
  | DocumentTextExtracted
  | DocumentUnreadable
  | DocumentChunked
  | DocumentChunksEmbedded
  | DocumentReindexRequested
  | DocumentDeleted
  | DocumentRestored
  | DocumentPurged;

export const documentEventTypes = [
  'DocumentAdded',
  'DocumentTextExtracted',
  'DocumentUnreadable',
  'DocumentChunked',
  'DocumentChunksEmbedded',
  'DocumentReindexRequested',
  'DocumentDeleted',
  'DocumentRestored',
  'DocumentPurged',
] as const satisfies readonly DocumentEvent['type'][];

/** Compiles only while the list names every event of the union. */
export const everyDocumentEventListed: Exclude<DocumentEvent['type'], (typeof documentEventTypes)[number]> extends never
  ? true
  : never = true;
