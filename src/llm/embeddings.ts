import { NotSupportedError, rethrowEmbeddingError } from './embedding-errors.js';
import { LlmError } from './llm-error.js';
import { fetchJson } from './upstream-json.js';

export type Embeddings = {
  /** The model the server named: the request's `model`, else what it serves. */
  model: string;
  /** One per text, in the order of the texts. */
  vectors: Float32Array[];
  promptTokens: number;
};

export type EmbedOptions = { model?: string; timeoutMs: number; signal?: AbortSignal };

/**
 * The embeddings of `texts` from POST /v1/embeddings, in one request (the caller batches). Throws an LlmError:
 * InputTooLargeError when a text has more tokens than the server's batch, NotSupportedError when the server does not
 * embed (started without --embeddings: 501; with --rerank: all-zero vectors), else unreachable, timeout or the server's
 * error; an abort of `signal` throws its reason.
 */
export async function embedTexts(baseUrl: string, texts: string[], options: EmbedOptions): Promise<Embeddings> {
  if (texts.length === 0) return { model: options.model ?? '', vectors: [], promptTokens: 0 };
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/embeddings`;
  const request = { ...(options.model === undefined ? {} : { model: options.model }), input: texts };
  const body = await fetchJson(
    url,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) },
    options.timeoutMs,
    options.signal,
  ).catch(rethrowEmbeddingError);
  return parseEmbeddings(body, texts.length, options.model ?? '');
}

const malformed = (why: string) => new LlmError('llm_error', `llama.cpp answered /v1/embeddings ${why}`, 200);

/** The vectors of an OpenAI-style embeddings answer, by `index`; checked to be one per text, all of one length. */
export function parseEmbeddings(body: unknown, count: number, requestedModel: string): Embeddings {
  const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const data = answer.data;
  if (!Array.isArray(data) || data.length !== count) {
    throw malformed(`without one embedding for each of the ${count} texts`);
  }
  const vectors = new Array<Float32Array | undefined>(count);
  for (const item of data as { embedding?: unknown; index?: unknown }[]) {
    const { embedding, index } = item ?? {};
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count || vectors[index]) {
      throw malformed(`with a missing, repeated or out-of-range index: ${JSON.stringify(index)}`);
    }
    if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every(Number.isFinite)) {
      throw malformed(`with an embedding that is not a list of numbers at index ${index}`);
    }
    vectors[index] = Float32Array.from(embedding as number[]);
  }
  const all = vectors as Float32Array[];
  if (all.some((vector) => vector.length !== all[0]?.length)) throw malformed('with vectors of different lengths');
  if (all.every((vector) => vector.every((value) => value === 0))) {
    throw new NotSupportedError(
      'llama.cpp answered /v1/embeddings with all-zero vectors: a server started with --rerank does not embed',
      'embeddings',
      200,
    );
  }
  const usage = (answer.usage ?? {}) as { prompt_tokens?: unknown };
  return {
    model: typeof answer.model === 'string' ? answer.model : requestedModel,
    vectors: all,
    promptTokens: typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0,
  };
}
