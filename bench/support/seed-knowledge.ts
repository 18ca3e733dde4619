import { createHash } from 'node:crypto';
import { chunkText } from '../../src/knowledge/chunk-text.js';
import { markdownSections } from '../../src/knowledge/extract/markdown.js';
import { uuidv7 } from '../../src/ids.js';
import { pieces } from '../../tools/llama-double/tokenizer.js';
import { markdown } from './corpus.js';
import type { EventRow } from './seed-log.js';

export type KnowledgeSeed = {
  /** How many Markdown documents of `bytesPerDocument` the project holds. */
  documents: number;
  bytesPerDocument: number;
  chunkTokens: number;
  overlapTokens: number;
  /** The embedding server's model, as GET /v1/models names it: chunks are counted by its tokenizer. */
  model: string;
  /** What the server takes in one input (llama.cpp's -ub of 512 less the indexer's room for special tokens). */
  maxTokens: number;
};

export type SeededProject = { projectId: string; rows: EventRow[]; chunks: number; texts: string[] };

const metadata = () => {
  const id = uuidv7();
  return JSON.stringify({ request_id: id, correlation_id: id, causation_id: id });
};

/**
 * The events an upload of each document and its cutting write (ProjectCreated, then per document DocumentAdded,
 * DocumentTextExtracted, DocumentChunked), cut by the server's own chunker with the double's tokenizer counted in
 * this process (the double's /tokenize answers the same counts, one HTTP request per chunk, which is what makes
 * cutting 100,000 chunks through the API take minutes). No DocumentChunksEmbedded: the server embeds them itself,
 * through the double, as after any upload. The files' bytes are not stored (nothing measured here reads them).
 */
export async function seedKnowledge(seed: KnowledgeSeed, seedNumber: number): Promise<SeededProject> {
  const projectId = uuidv7();
  const start = Date.now() - 3_600_000;
  let clock = start;
  const row = (stream_type: EventRow['stream_type'], stream_id: string, version: number, type: string, data: object) =>
    ({
      stream_id,
      stream_type,
      stream_version: version,
      type,
      data: JSON.stringify(data),
      metadata: metadata(),
      schema_version: 1,
      created_at: new Date(clock++).toISOString(),
    }) satisfies EventRow;
  const rows: EventRow[] = [
    row('project', projectId, 1, 'ProjectCreated', {
      project_id: projectId,
      name: 'Knowledge bench',
      description: null,
      metadata: {},
    }),
  ];
  const texts: string[] = [];
  let chunkCount = 0;
  for (let d = 0; d < seed.documents; d++) {
    const documentId = uuidv7();
    const text = markdown(seed.bytesPerDocument, seedNumber * 1000 + d);
    texts.push(text);
    const bytes = Buffer.from(text, 'utf8');
    const sections = markdownSections(text);
    const chunks = await chunkText(
      { text, pages: null, sections },
      {
        chunkTokens: seed.chunkTokens,
        overlapTokens: seed.overlapTokens,
        maxTokens: seed.maxTokens,
        countTokens: async (list) => list.map((t) => pieces(t).length),
      },
    );
    chunkCount += chunks.length;
    const ids = { document_id: documentId, project_id: projectId };
    rows.push(
      row('document', documentId, 1, 'DocumentAdded', {
        ...ids,
        name: `handbook-${d + 1}.md`,
        mime_type: 'text/markdown',
        size: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      }),
      row('document', documentId, 2, 'DocumentTextExtracted', { ...ids, text, pages: null, sections }),
      row('document', documentId, 3, 'DocumentChunked', {
        ...ids,
        chunking: {
          chunk_tokens: seed.chunkTokens,
          overlap_tokens: seed.overlapTokens,
          max_tokens: seed.maxTokens,
          tokenizer: `embedding:${seed.model}`,
        },
        chunks: chunks.map((chunk) => ({ chunk_id: uuidv7(clock), ...chunk })),
      }),
    );
  }
  return { projectId, rows, chunks: chunkCount, texts };
}

/** The model an embedding server serves, as the server asks it (GET /v1/models). */
export async function servedModel(embeddingUrl: string): Promise<string> {
  const answer = (await (await fetch(`${embeddingUrl}/v1/models`)).json()) as { data?: { id?: string }[] };
  return answer.data?.[0]?.id || 'default';
}
