import { rethrowEmbeddingError } from './embedding-errors.js';
import { LlmError } from './llm-error.js';
import { fetchJson } from './upstream-json.js';

/** A document's place in the list sent and its relevance to the query (higher is more; the scale is the model's). */
export type Ranked = { index: number; score: number };

export type RerankOptions = { timeoutMs: number; topN?: number; model?: string; signal?: AbortSignal };

/**
 * The documents ranked for the query by POST /v1/rerank (a server started with --rerank), best first, `topN` of them
 * if given. Throws an LlmError: NotSupportedError from any other server (501), InputTooLargeError when the query and a
 * document together have more tokens than its batch, else unreachable, timeout or the server's error.
 */
export async function rerank(
  baseUrl: string,
  query: string,
  documents: string[],
  options: RerankOptions,
): Promise<Ranked[]> {
  if (documents.length === 0) return [];
  const request = {
    ...(options.model === undefined ? {} : { model: options.model }),
    query,
    documents,
    ...(options.topN === undefined ? {} : { top_n: options.topN }),
  };
  const body = await fetchJson(
    `${baseUrl.replace(/\/+$/, '')}/v1/rerank`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) },
    options.timeoutMs,
    options.signal,
  ).catch(rethrowEmbeddingError);
  return parseRanking(body, documents.length);
}

export function parseRanking(body: unknown, count: number): Ranked[] {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new LlmError('llm_error', 'llama.cpp answered /v1/rerank without results', 200);
  const ranked = results.map((result: { index?: unknown; relevance_score?: unknown } | null) => {
    const { index, relevance_score: score } = result ?? {};
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
      throw new LlmError('llm_error', `llama.cpp ranked a document it was not sent: ${JSON.stringify(index)}`, 200);
    }
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw new LlmError('llm_error', `llama.cpp gave document ${index} no score`, 200);
    }
    return { index, score };
  });
  return ranked.sort((a, b) => b.score - a.score);
}
