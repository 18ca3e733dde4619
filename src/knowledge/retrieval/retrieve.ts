import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../../db/run-sql.js';
import { describeFailure } from '../../llm/llm-error.js';
import type { EmbeddingSource } from '../embedding-source.js';
import { MAX_DOCUMENT_FILTER, MAX_NEAREST, nearestChunks } from '../vector-index/nearest-chunks.js';
import { fullTextCandidates, type Ranked } from './full-text-candidates.js';

/** Reciprocal-rank fusion's constant (Cormack et al.): ranks far down a list still count, a little. */
const RRF_K = 60;
/** Characters of a chunk shown as its snippet. */
const SNIPPET_CHARS = 240;

export type RetrievalSettings = { candidates: number; topK: number; maxTokens: number };

export type Reranker = (question: string, texts: string[]) => Promise<number[]>;

export type RetrievedChunk = {
  chunk_id: string;
  document_id: string;
  document_name: string;
  text: string;
  snippet: string;
  pages: number[];
  heading: string[];
  tokens: number;
  scores: {
    vector: number | null;
    vector_rank: number | null;
    full_text: number | null;
    full_text_rank: number | null;
    fused: number;
    rerank: number | null;
  };
};

/** How the chunks were found: both rankings, or full text only (and why). */
export type RetrievalMode =
  | { mode: 'hybrid'; reranked: boolean }
  | { mode: 'full_text'; reason: 'embedding_disabled' | 'embedding_failed'; error?: string; reranked: boolean };

export type Retrieval = RetrievalMode & { chunks: RetrievedChunk[]; candidates: number };

type ChunkRow = {
  id: string;
  document_id: string;
  name: string;
  text: string;
  pages: unknown;
  heading: unknown;
  tokens: number;
};

const parse = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

/**
 * The chunks of a project that best answer `question`: the best `candidates` by vector similarity and by full-text
 * rank, fused by reciprocal rank, optionally reranked, then the best `topK` that fit `maxTokens` together. An
 * embedding server that fails does not fail the retrieval: it falls back to full text and says so.
 */
export async function retrieve(
  deps: { em: EntityManager; embedding: EmbeddingSource | null; rerank: Reranker | null },
  input: { project_id: string; question: string; settings: RetrievalSettings; topK?: number; maxTokens?: number },
): Promise<Retrieval> {
  const { em } = deps;
  const { candidates } = input.settings;
  const maxTokens = Math.min(input.settings.maxTokens, input.maxTokens ?? Infinity);
  const topK = input.topK ?? input.settings.topK;
  const [vector, fullText] = await Promise.all([
    vectorRanking(deps, input.project_id, input.question, candidates),
    fullTextCandidates(em, input.project_id, input.question, candidates),
  ]);
  const fused = new Map<string, { fused: number; vector?: [number, number]; fullText?: [number, number] }>();
  const add = (list: Ranked[], key: 'vector' | 'fullText') =>
    list.forEach((item, i) => {
      const entry = fused.get(item.chunk_id) ?? { fused: 0 };
      entry.fused += 1 / (RRF_K + i + 1);
      entry[key] = [item.score, i + 1];
      fused.set(item.chunk_id, entry);
    });
  if (vector.ranked) add(vector.ranked, 'vector');
  add(fullText, 'fullText');
  const rows = await chunkRows(em, [...fused.keys()]);
  let ordered = rows
    .map((row) => ({ row, entry: fused.get(row.id)!, rerank: null as number | null }))
    .sort((a, b) => b.entry.fused - a.entry.fused || (a.row.id < b.row.id ? -1 : 1));
  let reranked = false;
  if (deps.rerank && ordered.length > 1) {
    try {
      const scores = await deps.rerank(
        input.question,
        ordered.map((o) => o.row.text),
      );
      ordered = ordered
        .map((o, i) => ({ ...o, rerank: scores[i] ?? null }))
        .sort((a, b) => (b.rerank ?? -Infinity) - (a.rerank ?? -Infinity) || b.entry.fused - a.entry.fused);
      reranked = true;
    } catch {
      // A reranker that fails leaves the fused order.
    }
  }
  const chunks: RetrievedChunk[] = [];
  let tokens = 0;
  for (const { row, entry, rerank } of ordered) {
    if (chunks.length >= topK) break;
    if (tokens + Number(row.tokens) > maxTokens) continue;
    tokens += Number(row.tokens);
    chunks.push({
      chunk_id: row.id,
      document_id: row.document_id,
      document_name: row.name,
      text: row.text,
      snippet: snippetOf(row.text),
      pages: parse<number[]>(row.pages),
      heading: parse<string[]>(row.heading),
      tokens: Number(row.tokens),
      scores: {
        vector: entry.vector?.[0] ?? null,
        vector_rank: entry.vector?.[1] ?? null,
        full_text: entry.fullText?.[0] ?? null,
        full_text_rank: entry.fullText?.[1] ?? null,
        fused: entry.fused,
        rerank,
      },
    });
  }
  const mode: RetrievalMode = vector.ranked
    ? { mode: 'hybrid', reranked }
    : { mode: 'full_text', reason: vector.reason, ...(vector.error ? { error: vector.error } : {}), reranked };
  return { ...mode, chunks, candidates: fused.size };
}

type VectorRanking =
  | { ranked: Ranked[]; reason?: undefined; error?: undefined }
  | { ranked: null; reason: 'embedding_disabled' | 'embedding_failed'; error?: string };

async function vectorRanking(
  deps: { em: EntityManager; embedding: EmbeddingSource | null },
  projectId: string,
  question: string,
  k: number,
): Promise<VectorRanking> {
  const source = deps.embedding;
  if (!source) return { ranked: null, reason: 'embedding_disabled' };
  try {
    const model = await source.model();
    // A question longer than the server takes in one input is embedded by its start.
    const [vector] = await source.embed([question.slice(0, source.maxTokens() * 2)]);
    const documents = await liveDocumentIds(deps.em, projectId);
    if (documents.length === 0) return { ranked: [] };
    // Past what one search can be limited to, the project's nearest are searched and those of documents not live
    // (deleted, failed) left out: they are few beside so many.
    const filtered = documents.length <= MAX_DOCUMENT_FILTER;
    const nearest = await nearestChunks(deps.em, {
      project_id: projectId,
      model,
      vector: vector!,
      k: filtered ? k : Math.min(MAX_NEAREST, k * 2),
      ...(filtered ? { document_ids: documents } : {}),
    });
    const live = filtered ? null : new Set(documents);
    const kept = live ? nearest.filter((n) => live.has(n.document_id)).slice(0, k) : nearest;
    return { ranked: kept.map((n) => ({ chunk_id: n.chunk_id, score: n.similarity })) };
  } catch (error) {
    return { ranked: null, reason: 'embedding_failed', error: describeFailure(error) };
  }
}

/** The project's documents retrieval reads: not deleted, readable. */
async function liveDocumentIds(em: EntityManager, projectId: string): Promise<string[]> {
  const rows = await runSql<{ id: string }>(
    em,
    'select id from documents where project_id = ? and deleted_at is null and failure is null',
    [projectId],
  );
  return rows.map((row) => row.id);
}

async function chunkRows(em: EntityManager, ids: string[]): Promise<ChunkRow[]> {
  if (ids.length === 0) return [];
  return runSql<ChunkRow>(
    em,
    `select c.id, c.document_id, d.name, c.text, c.pages, c.heading, c.tokens
     from knowledge_chunks c join documents d on d.id = c.document_id
     where c.id in (${ids.map(() => '?').join(', ')})`,
    ids,
  );
}

function snippetOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= SNIPPET_CHARS ? flat : `${flat.slice(0, SNIPPET_CHARS - 1)}…`;
}
