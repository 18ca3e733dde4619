import { echoedModel, requestObject, usage } from './embedding-request.js';
import type { Endpoint } from './endpoints.js';
import { pause, type Exchange } from './exchange.js';
import { pieces } from './tokenizer.js';
import { errorBody, inputTooLarge, malformedJson, sendJson } from './wire.js';
import { embeddingOf, textFeatures } from './word-vectors.js';

/**
 * No capture has it (every recorded embeddings request went to a server started with --embeddings or --rerank): the
 * refusal of llama.cpp's handle_embeddings_impl on a server without either.
 */
export const EMBEDDINGS_NOT_SUPPORTED = errorBody(
  501,
  'This server does not support embeddings. Start it with `--embeddings`',
);

const NO_PROMPT = errorBody(500, '"prompt" must not be empty');
const BAD_FORMAT = errorBody(400, 'The format to return the embeddings in. Can be either float or base64');
const BAD_PROMPT = errorBody(
  500,
  '"prompt" must be a string, a list of tokens, a list of mixed strings & tokens, or a list of prompts',
);

/** One prompt of a request: what its vector is made of, and its tokens as the double's tokenizer counts them. */
type Prompt = { features: string[]; tokens: number };

const isTokenId = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

function prompt(value: unknown): Prompt | null {
  if (typeof value === 'string') return { features: textFeatures(value), tokens: pieces(value).length };
  if (!Array.isArray(value) || !value.every((part) => isTokenId(part) || typeof part === 'string')) return null;
  if (value.length > 0 && !value.some(isTokenId)) return null;
  const parts = value.map((part: string | number) =>
    typeof part === 'string'
      ? { features: textFeatures(part), tokens: pieces(part).length }
      : { features: [`#${part}`], tokens: 1 },
  );
  return { features: parts.flatMap((p) => p.features), tokens: parts.reduce((sum, p) => sum + p.tokens, 0) };
}

/** As llama.cpp's tokenize_input_prompts: a string or a list of token ids (and strings) is one prompt, other lists one each. */
function promptsOf(input: unknown): Prompt[] | null {
  const single = prompt(input);
  if (single) return [single];
  if (!Array.isArray(input) || input.length === 0) return null;
  const each = input.map(prompt);
  return each.every((p) => p !== null) ? each : null;
}

/**
 * `oai` (/v1/embeddings, f01, f02): {model, object, usage, data}; `native` (/embedding, /embeddings, or a `content`
 * field anywhere, f03): [{index, embedding: [vector]}]. A rerank server's vectors are all zeros (f11, which has `-0.0`
 * for some: JSON.stringify writes 0).
 */
async function answerEmbeddings(exchange: Exchange, body: string, form: 'oai' | 'native'): Promise<void> {
  const { response, options } = exchange;
  if (options.serves === 'chat') return sendJson(response, 501, EMBEDDINGS_NOT_SUPPORTED);
  const malformed = malformedJson(body);
  if (malformed) return sendJson(response, 500, malformed);
  const request = requestObject(exchange.json);
  const field = 'input' in request ? 'input' : 'content' in request ? 'content' : null;
  if (field === null) return sendJson(response, 400, errorBody(400, '"input" or "content" must be provided'));
  const format = request.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') return sendJson(response, 400, BAD_FORMAT);
  const given = request[field];
  if (Array.isArray(given) && given.length === 0) return sendJson(response, 500, NO_PROMPT);
  const prompts = promptsOf(given);
  if (!prompts) return sendJson(response, 500, BAD_PROMPT);
  if (prompts.some((p) => p.tokens === 0)) {
    return sendJson(response, 400, errorBody(400, 'Input content cannot be empty'));
  }
  if (!(await pause(options.embeddingDelayMs, exchange.closed))) return;
  const tooLarge = prompts.find((p) => p.tokens > options.ubatch);
  if (tooLarge) return sendJson(response, 500, inputTooLarge(tooLarge.tokens, options.ubatch));
  const vectors = prompts.map((p) =>
    options.serves === 'rerank'
      ? new Array<number>(options.embeddingDimensions).fill(0)
      : embeddingOf(p.features, options.embeddingDimensions),
  );
  if (form === 'native' || field === 'content') {
    return sendJson(
      response,
      200,
      vectors.map((embedding, index) => ({ index, embedding: [embedding] })),
    );
  }
  sendJson(response, 200, {
    model: echoedModel(request, options),
    object: 'list',
    usage: usage(prompts.reduce((sum, p) => sum + p.tokens, 0)),
    data: vectors.map((embedding, index) =>
      format === 'base64'
        ? { embedding: base64Floats(embedding), index, object: 'embedding', encoding_format: 'base64' }
        : { embedding, index, object: 'embedding' },
    ),
  });
}

/** `encoding_format: "base64"`: the vector's float32 bytes (little-endian), base64-encoded. */
const base64Floats = (vector: number[]) => Buffer.from(Float32Array.from(vector).buffer).toString('base64');

export const EMBEDDING_ENDPOINTS: Record<string, Endpoint> = {
  'POST /v1/embeddings': (exchange, body) => answerEmbeddings(exchange, body, 'oai'),
  'POST /embeddings': (exchange, body) => answerEmbeddings(exchange, body, 'native'),
  'POST /embedding': (exchange, body) => answerEmbeddings(exchange, body, 'native'),
};
