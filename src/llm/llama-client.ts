import type { ChatChunk, ChatRequest } from './chat-types.js';
import { completeChat, type ChatCompletion } from './complete-chat.js';
import { fetchModels, type ServedModels } from './models.js';
import { fetchProps, type LlamaProps } from './props.js';
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
   * GET /props (of `model`, for a router: /props?model=…), cached for PROPS_TTL_MS after a success: a llama-server
   * restarted with another model is noticed within that time.
   */
  props(model?: string): Promise<LlamaProps>;
  /** POST /tokenize {content}; Math.ceil(text.length / 4) when /tokenize fails. */
  countTokens(text: string): Promise<number>;
  /** What llama.cpp serves now (GET /v1/models and /props), asked each time. */
  models(): Promise<ServedModels>;
  /** The same, cached for SERVED_TTL_MS: what a chat checks the model it names against. */
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
  const ttl = options.propsTtlMs ?? PROPS_TTL_MS;
  const cached = new Map<string, { props: LlamaProps; until: number }>();
  const inFlight = new Map<string, Promise<LlamaProps>>();
  let served: { models: Promise<ServedModels>; until: number } | undefined;
  const models = () => fetchModels(base, Math.min(MODELS_TIMEOUT_MS, options.firstTokenTimeoutMs));
  return {
    streamChat: (request, signal, onAccepted) => ({
      [Symbol.asyncIterator]: () => streamChat(base, options, request, signal, onAccepted),
    }),
    completeChat: (request, signal) => completeChat(base, request, options.firstTokenTimeoutMs, signal),
    props: async (model) => {
      const key = model ?? '';
      const hit = cached.get(key);
      if (hit && hit.until > performance.now()) return hit.props;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = fetchProps(base, options.firstTokenTimeoutMs, model)
          .then((props) => {
            cached.set(key, { props, until: performance.now() + ttl });
            return props;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
    countTokens: (text) => countTokens(base, text, Math.min(TOKENIZE_TIMEOUT_MS, options.firstTokenTimeoutMs)),
    models,
    served: () => {
      if (served && served.until > performance.now()) return served.models;
      const fetched = models();
      served = { models: fetched, until: performance.now() + SERVED_TTL_MS };
      // A failure is not kept: the next chat asks again.
      fetched.catch(() => {
        if (served?.models === fetched) served = undefined;
      });
      return fetched;
    },
  };
}
