import { requestObject } from './embedding-request.js';

/** What one embeddings request asked for, read from its logged JSON body. */
export type LoggedEmbedding = {
  path: string;
  model: string | null;
  /** The texts of `input` (or `content`), in order; token-id prompts are left out. */
  texts: string[];
};

/** What one rerank request asked for. */
export type LoggedRerank = {
  path: string;
  model: string | null;
  query: string | null;
  /** `documents`, or TEI's `texts`. */
  documents: string[];
  topN: number | null;
};

const text = (value: unknown) => (typeof value === 'string' ? value : null);
const texts = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];

export function loggedEmbedding(path: string, json: unknown): LoggedEmbedding {
  const body = requestObject(json);
  return { path, model: text(body.model), texts: texts('input' in body ? body.input : body.content) };
}

export function loggedRerank(path: string, json: unknown): LoggedRerank {
  const body = requestObject(json);
  const topN = body.top_n;
  return {
    path,
    model: text(body.model),
    query: text(body.query),
    documents: texts(body.documents ?? body.texts),
    topN: typeof topN === 'number' ? topN : null,
  };
}
