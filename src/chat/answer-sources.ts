import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/knex';
import { runSql } from '../db/run-sql.js';
import type { AnswerSource, SourceRetrieval } from '../domain/conversation/conversation.events.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { RetrievedChunk } from '../knowledge/retrieval/retrieve.js';
import type { QuestionSources } from './prepare-prompt.js';

export type FoundSources = { sources: AnswerSource[]; retrieval: SourceRetrieval; prompt: QuestionSources };

/**
 * The sources of the project's documents for a question, when its conversation is in a project whose documents
 * hold any; null otherwise. A retrieval that fails altogether (the database) leaves the chat without sources.
 */
export async function findSources(
  knowledge: Pick<Knowledge, 'retrieve'>,
  em: EntityManager,
  /** `maxTokens`: what the sources may take at most, when the chat model's context allows less than the setting. */
  input: { conversation_id: string; question_id: string; maxTokens?: number },
): Promise<FoundSources | null> {
  const [row] = await runSql<{ project_id: string | null; content: string; documents: number | string }>(
    em,
    `select c.project_id, m.content,
       (select count(*) from documents d where d.project_id = c.project_id and d.deleted_at is null
        and d.chunk_count > 0) as documents
     from conversations c join messages m on m.id = ? where c.id = ?`,
    [input.question_id, input.conversation_id],
  );
  if (!row || row.project_id === null || Number(row.documents) === 0) return null;
  const retrieval = await knowledge.retrieve(em, {
    project_id: row.project_id,
    question: row.content,
    ...(input.maxTokens === undefined ? {} : { maxTokens: input.maxTokens }),
  });
  if (retrieval.chunks.length === 0) return null;
  const sources = retrieval.chunks.map((chunk, i) => asSource(chunk, i + 1));
  const text = promptText(retrieval.chunks);
  const { chunks: _chunks, candidates: _candidates, ...how } = retrieval;
  return {
    sources,
    retrieval: how,
    prompt: { text, key: createHash('sha256').update(text).digest('base64url').slice(0, 16) },
  };
}

function asSource(chunk: RetrievedChunk, n: number): AnswerSource {
  return {
    n,
    document_id: chunk.document_id,
    document_name: chunk.document_name,
    chunk_id: chunk.chunk_id,
    pages: chunk.pages,
    heading: chunk.heading,
    score: chunk.scores.rerank ?? chunk.scores.fused,
    snippet: chunk.snippet,
  };
}

/** The numbered sources as the question's preamble, with the instruction to cite them. */
function promptText(chunks: RetrievedChunk[]): string {
  const blocks = chunks.map((chunk, i) => {
    const where = [
      chunk.document_name,
      chunk.pages.length > 0 ? `p. ${chunk.pages.join(', ')}` : null,
      chunk.heading.length > 0 ? chunk.heading.join(' > ') : null,
    ]
      .filter(Boolean)
      .join(' — ');
    return `[${i + 1}] ${where}\n${chunk.text.trim()}`;
  });
  return (
    'Sources from the documents of this project, numbered:\n\n' +
    `${blocks.join('\n\n')}\n\n` +
    'Answer the question below. Where you use a source, cite it by its number in brackets, as [1] or [2]; ' +
    'say so when the sources do not hold the answer.\n\nQuestion: '
  );
}
