import type { ChatChunk, ChatRequest } from './chat-types.js';
import { completeChat, type ChatCompletion } from './complete-chat.js';
import { fetchModels, type ServedModels } from './models.js';
import { fetchProps, type LlamaProps } from './props.js';
import { createRefreshingCache } from './refreshing-cache.js';
import { streamChat } from './stream-chat.js';
import { countTokens } from './tokenize.js';

export type { ChatChunk, ChatMessage, ChatOptions, CompletionTimings } from './chat-types.js';
export { LlmError, type LlmErrorType } from './llm-error.js';
export type { LlamaProps } from './props.js';
export type { ServedModel, ServedModels } from './models.js';
export type { ChatCompletion } from './complete-chat.js';

export type LlamaClient = {
  /**
   * The chunks of each network read, in order. `onAccepted` runs when llama.cpp answered 200 and the stream begins,
   * before any token.
   */
  streamChat(request: ChatRequest, signal: AbortSignal, onAccepted?: () => void): AsyncIterable<ChatChunk[]>;
  /** The whole reply at once, within the first-token timeout (for short replies such as titles). */
  completeChat(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion>;
  /**
   * GET /props (of `model`, for a router: /props?model=…), kept PROPS_TTL_MS and then refreshed in the background
   * (see refreshing-cache.ts): a llama-server restarted with another model is noticed soon after that time.
   */
  props(model?: string): Promise<LlamaProps>;
  /** POST /tokenize {content}; Math.ceil(text.length / 4) when /tokenize fails. */
  countTokens(text: string): Promise<number>;
  /** What llama.cpp serves now (GET /v1/models and /props), asked each time. */
  models(): Promise<ServedModels>;
  /** The same, kept SERVED_TTL_MS and then refreshed in the background: what a chat checks the model it names against. */
  served(): Promise<ServedModels>;
};

/** A model loaded into a router, or a server restarted with another, is seen by chats within this time. */
export const SERVED_TTL_MS = 5_000;

/** A listing of models is for a person looking: it is not waited on for long. */
const MODELS_TIMEOUT_MS = 5_000;

/** /tokenize is only an aid to prompt budgeting: it is not waited on for long before the estimate is used. */
const TOKENIZE_TIMEOUT_MS = 5_000;

/** How long a model's /props is trusted: its context size budgets every prompt, and a model can be swapped. */
export const PROPS_TTL_MS = 30_000;

/** A client of one llama.cpp server; knows nothing of the database. */
export function createLlamaClient(
  baseUrl: string,
  options: { firstTokenTimeoutMs: number; idleTimeoutMs: number; propsTtlMs?: number },
): LlamaClient {
  const base = baseUrl.replace(/\/+$/, '');
  const props = createRefreshingCache(
    (model) => fetchProps(base, options.firstTokenTimeoutMs, model === '' ? undefined : model),
    options.propsTtlMs ?? PROPS_TTL_MS,
  );
  const models = () => fetchModels(base, Math.min(MODELS_TIMEOUT_MS, options.firstTokenTimeoutMs));
  const served = createRefreshingCache(models, SERVED_TTL_MS);
  return {
    streamChat: (request, signal, onAccepted) => ({
      [Symbol.asyncIterator]: () => streamChat(base, options, request, signal, onAccepted),
    }),
    completeChat: (request, signal) => completeChat(base, request, options.firstTokenTimeoutMs, signal),
    props: (model) => props.get(model ?? ''),
    countTokens: (text) => countTokens(base, text, Math.min(TOKENIZE_TIMEOUT_MS, options.firstTokenTimeoutMs)),
    models,
    served: () => served.get(''),
  };
}
