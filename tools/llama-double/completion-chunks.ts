import { randomInt } from 'node:crypto';

/** What every chunk of one completion repeats; llama.cpp echoes the request's model, or this default. */
export type Completion = { id: string; created: number; model: string };

export type Usage = { completion_tokens: number; prompt_tokens: number; total_tokens: number };

export type Timings = {
  prompt_n: number;
  prompt_ms: number;
  prompt_per_token_ms: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_ms: number;
  predicted_per_token_ms: number;
  predicted_per_second: number;
};

export type FinishReason = 'stop' | 'length';

const FINGERPRINT = 'b4748-c392e509';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newCompletion(requestedModel: unknown): Completion {
  const suffix = Array.from({ length: 32 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return {
    id: `chatcmpl-${suffix}`,
    created: Math.floor(Date.now() / 1000),
    model: typeof requestedModel === 'string' ? requestedModel : 'gpt-3.5-turbo',
  };
}

function usage(completionTokens: number, promptTokens: number): Usage {
  return {
    completion_tokens: completionTokens,
    prompt_tokens: promptTokens,
    total_tokens: completionTokens + promptTokens,
  };
}

/** Usage and timings of a completion whose generation started at `startedAt` (performance.now()) and ends now. */
export function completionStats(promptTokens: number, predictedN: number, startedAt: number) {
  const predictedMs = round3(Math.max(performance.now() - startedAt, 0.001));
  const promptMs = round3(0.5 + promptTokens * 0.03);
  return {
    usage: usage(predictedN, promptTokens),
    timings: timings(promptTokens, promptMs, predictedN, predictedMs),
  };
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function timings(promptN: number, promptMs: number, predictedN: number, predictedMs: number): Timings {
  return {
    prompt_n: promptN,
    prompt_ms: promptMs,
    prompt_per_token_ms: promptMs / Math.max(promptN, 1),
    prompt_per_second: (1000 * promptN) / promptMs,
    predicted_n: predictedN,
    predicted_ms: predictedMs,
    predicted_per_token_ms: predictedMs / Math.max(predictedN, 1),
    predicted_per_second: (1000 * predictedN) / predictedMs,
  };
}

type Delta = Record<string, string | null>;

function chunk(completion: Completion, choices: object[], extra: object = {}) {
  return {
    choices,
    created: completion.created,
    id: completion.id,
    model: completion.model,
    system_fingerprint: FINGERPRINT,
    object: 'chat.completion.chunk',
    ...extra,
  };
}

function deltaChunk(completion: Completion, delta: Delta) {
  return chunk(completion, [{ finish_reason: null, index: 0, delta }]);
}

export const roleChunk = (completion: Completion) => deltaChunk(completion, { role: 'assistant', content: null });
export const contentChunk = (completion: Completion, content: string) => deltaChunk(completion, { content });
export const reasoningChunk = (completion: Completion, text: string) =>
  deltaChunk(completion, { reasoning_content: text });

/** The last chunk of b4748: finish_reason, an empty delta, usage (when given) and timings. */
export function finishChunk(completion: Completion, reason: FinishReason, stats: { usage?: Usage; timings?: Timings }) {
  return chunk(completion, [{ finish_reason: reason, index: 0, delta: {} }], stats);
}

/** Newer servers honouring stream_options.include_usage: a last chunk with no choices. */
export function usageChunk(completion: Completion, stats: { usage: Usage; timings: Timings }) {
  return chunk(completion, [], stats);
}

/** The body of a non-streamed completion, keys in chat_nonstream.txt's order. */
export function completionBody(
  completion: Completion,
  result: { content: string; reasoning: string | null; reason: FinishReason; usage?: Usage; timings: Timings },
) {
  const message = { role: 'assistant', content: result.content, ...reasoningOf(result.reasoning) };
  return {
    choices: [{ finish_reason: result.reason, index: 0, message }],
    created: completion.created,
    model: completion.model,
    system_fingerprint: FINGERPRINT,
    object: 'chat.completion',
    ...(result.usage ? { usage: result.usage } : {}),
    id: completion.id,
    timings: result.timings,
  };
}

function reasoningOf(reasoning: string | null): object {
  return reasoning === null ? {} : { reasoning_content: reasoning };
}
