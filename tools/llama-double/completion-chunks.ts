import { randomInt } from 'node:crypto';
import type { ServerBuild } from './options.js';

/** What every chunk of one completion repeats; `model` is what the server calls the model (see replyModel). */
export type Completion = { id: string; created: number; model: string; build: ServerBuild };

export type Usage = {
  completion_tokens: number;
  prompt_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
};

export type Timings = {
  /** Modern only: prompt tokens taken from the prompt cache; prompt_n counts the others. */
  cache_n?: number;
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

export const BUILD_INFO: Record<ServerBuild, string> = { b4748: 'b4748-c392e509', modern: 'b1-de3ff81' };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newCompletion(model: string, build: ServerBuild): Completion {
  const suffix = Array.from({ length: 32 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return { id: `chatcmpl-${suffix}`, created: Math.floor(Date.now() / 1000), model, build };
}

/** The prompt as the server counts it: `cached` of its tokens came from the prompt cache (modern only). */
export type PromptCount = { tokens: number; cached: number };

function usage(completionTokens: number, prompt: PromptCount, build: ServerBuild): Usage {
  const counts = {
    completion_tokens: completionTokens,
    prompt_tokens: prompt.tokens,
    total_tokens: completionTokens + prompt.tokens,
  };
  switch (build) {
    case 'b4748':
      return counts;
    case 'modern':
      return { ...counts, prompt_tokens_details: { cached_tokens: prompt.cached } };
  }
}

/** Usage and timings of a completion whose generation started at `startedAt` (performance.now()) and ends now. */
export function completionStats(prompt: PromptCount, predictedN: number, startedAt: number, build: ServerBuild) {
  const predictedMs = round3(Math.max(performance.now() - startedAt, 0.001));
  const evaluated = prompt.tokens - prompt.cached;
  const promptMs = round3(0.5 + evaluated * 0.03);
  const measured = timings(evaluated, promptMs, predictedN, predictedMs);
  return {
    usage: usage(predictedN, prompt, build),
    timings: build === 'modern' ? { cache_n: prompt.cached, ...measured } : measured,
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
    system_fingerprint: BUILD_INFO[completion.build],
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
    system_fingerprint: BUILD_INFO[completion.build],
    object: 'chat.completion',
    ...(result.usage ? { usage: result.usage } : {}),
    id: completion.id,
    timings: result.timings,
  };
}

function reasoningOf(reasoning: string | null): object {
  return reasoning === null ? {} : { reasoning_content: reasoning };
}
