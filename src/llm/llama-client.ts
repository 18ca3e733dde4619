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
  /** GET /props, cached after the first success. */
  props(): Promise<LlamaProps>;
  /** POST /tokenize {content}; Math.ceil(text.length / 4) when /tokenize fails. */
  countTokens(text: string): Promise<number>;
  /** What llama.cpp serves now (GET /v1/models and /props), asked each time. */
  models(): Promise<ServedModels>;
};

/** A listing of models is for a person looking: it is not waited on for long. */
const MODELS_TIMEOUT_MS = 5_000;

/** /tokenize is only an aid to prompt budgeting: it is not waited on for long before the estimate is used. */
const TOKENIZE_TIMEOUT_MS = 5_000;

/** A client of one llama.cpp server; knows nothing of the database. */
export function createLlamaClient(
  baseUrl: string,
  options: { firstTokenTimeoutMs: number; idleTimeoutMs: number },
): LlamaClient {
  const base = baseUrl.replace(/\/+$/, '');
  let cached: LlamaProps | undefined;
  let inFlight: Promise<LlamaProps> | undefined;
  return {
    streamChat: (request, signal, onAccepted) => ({
      [Symbol.asyncIterator]: () => streamChat(base, options, request, signal, onAccepted),
    }),
    completeChat: (request, signal) => completeChat(base, request, options.firstTokenTimeoutMs, signal),
    props: async () => {
      if (cached) return cached;
      inFlight ??= fetchProps(base, options.firstTokenTimeoutMs)
        .then((props) => (cached = props))
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
    countTokens: (text) => countTokens(base, text, Math.min(TOKENIZE_TIMEOUT_MS, options.firstTokenTimeoutMs)),
    models: () => fetchModels(base, Math.min(MODELS_TIMEOUT_MS, options.firstTokenTimeoutMs)),
  };
}
