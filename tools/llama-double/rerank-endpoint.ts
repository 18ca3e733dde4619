import { echoedModel, requestObject, usage } from './embedding-request.js';
import type { Endpoint } from './endpoints.js';
import { pause } from './exchange.js';
import { pieces } from './tokenizer.js';
import { errorBody, inputTooLarge, malformedJson, sendJson } from './wire.js';
import { overlapScore } from './word-vectors.js';

/** e07: what a server started without --rerank answers, a chat or an embeddings one. */
export const RERANK_NOT_SUPPORTED = errorBody(
  501,
  'This server does not support reranking. Start it with `--reranking`',
);

const strings = (value: unknown): string[] | null =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;

/**
 * POST /v1/rerank and its aliases, on a --rerank server: a score per document (the share of the query's words it has),
 * sorted by score, cut to `top_n`. Jina's form (f08, f09) answers {model, object, usage, results}; TEI's, a request
 * with `texts` (f10), the bare results with `score` (and `text` when `return_text`).
 */
const rerank: Endpoint = async (exchange, body) => {
  const { response, options } = exchange;
  if (options.serves !== 'rerank') return sendJson(response, 501, RERANK_NOT_SUPPORTED);
  const malformed = malformedJson(body);
  if (malformed) return sendJson(response, 500, malformed);
  const request = requestObject(exchange.json);
  if (!('query' in request)) return sendJson(response, 400, errorBody(400, '"query" must be provided'));
  const query = request.query;
  if (typeof query !== 'string') return sendJson(response, 400, errorBody(400, '"query" must be a string'));
  const documents = strings(request.documents) ?? strings(request.texts) ?? [];
  if (documents.length === 0) {
    return sendJson(response, 400, errorBody(400, '"documents" must be a non-empty string array'));
  }
  const topN = Number.isInteger(request.top_n) ? Math.max(request.top_n as number, 0) : documents.length;
  if (!(await pause(options.embeddingDelayMs, exchange.closed))) return;
  const tokens = documents.map((document) => pieces(query).length + pieces(document).length);
  const tooLarge = tokens.find((count) => count > options.ubatch);
  if (tooLarge !== undefined) return sendJson(response, 500, inputTooLarge(tooLarge, options.ubatch));
  const ranked = documents
    .map((document, index) => ({ index, score: overlapScore(query, document) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, topN);
  if ('texts' in request) {
    const withText = request.return_text === true;
    const results = ranked.map((r) => (withText ? { ...r, text: documents[r.index] } : r));
    return sendJson(response, 200, results);
  }
  sendJson(response, 200, {
    model: echoedModel(request, options),
    object: 'list',
    usage: usage(tokens.reduce((sum, count) => sum + count, 0)),
    results: ranked.map(({ index, score }) => ({ index, relevance_score: score })),
  });
};

export const RERANK_ENDPOINTS: Record<string, Endpoint> = {
  'POST /v1/rerank': rerank,
  'POST /rerank': rerank,
  'POST /v1/reranking': rerank,
  'POST /reranking': rerank,
};
