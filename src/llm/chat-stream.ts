import type { ChatChunk, CompletionTimings } from './chat-types.js';
import { errorFromPayload, LlmError } from './llm-error.js';

type FinishChunk = Extract<ChatChunk, { type: 'finish' }>;

/** What one line of the stream means: chunks to yield now, and whether it was `data: [DONE]`. */
export type LineResult = { chunks: ChatChunk[]; done: boolean };

export type ChatStreamParser = {
  /** Throws LlmError for an error line or event, or a line that is not llama.cpp's SSE. */
  line: (text: string) => LineResult;
  /** The finish chunk, with everything the stream said about its end; throws when it never said how it ended. */
  finish: () => FinishChunk;
};

const NOTHING: LineResult = { chunks: [], done: false };
const SPACE = 0x20;
const IGNORED_FIELDS = new Set(['event', 'id', 'retry']);
const TIMING_KEYS = ['cache_n', 'prompt_n', 'prompt_ms', 'predicted_n', 'predicted_ms'] as const;

/** Parses the lines of an OpenAI-style chat completion stream as llama.cpp writes it, old and new builds alike. */
export function createChatStreamParser(): ChatStreamParser {
  const ending: Omit<FinishChunk, 'type' | 'finish_reason'> & { finish_reason: FinishChunk['finish_reason'] | null } = {
    finish_reason: null,
    completion_tokens: null,
    prompt_tokens: null,
    timings: null,
    model: null,
  };

  function chunk(data: Record<string, unknown>): ChatChunk[] {
    if (typeof data.model === 'string') ending.model = data.model;
    const usage = record(data.usage);
    if (usage) {
      ending.completion_tokens = numberOrNull(usage.completion_tokens) ?? ending.completion_tokens;
      ending.prompt_tokens = numberOrNull(usage.prompt_tokens) ?? ending.prompt_tokens;
    }
    const timings = record(data.timings);
    if (timings) ending.timings = pickTimings(timings);
    const choice = record(Array.isArray(data.choices) ? data.choices[0] : undefined);
    if (!choice) return [];
    if (typeof choice.finish_reason === 'string')
      ending.finish_reason = choice.finish_reason === 'length' ? 'length' : 'stop';
    const delta = record(choice.delta) ?? {};
    const chunks: ChatChunk[] = [];
    if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') {
      chunks.push({ type: 'reasoning', content: delta.reasoning_content });
    }
    if (typeof delta.content === 'string' && delta.content !== '')
      chunks.push({ type: 'delta', content: delta.content });
    return chunks;
  }

  function data(value: string): LineResult {
    if (value === '[DONE]') return { chunks: [], done: true };
    const parsed = record(parseJson(value));
    if (!parsed) throw malformed(`data: ${value}`);
    if (parsed.error !== undefined) throw errorFromPayload(parsed.error);
    return { chunks: chunk(parsed), done: false };
  }

  return {
    line: (text) => {
      if (text === '' || text.startsWith(':')) return NOTHING;
      const colon = text.indexOf(':');
      const field = colon < 0 ? text : text.slice(0, colon);
      const value = colon < 0 ? '' : text.slice(text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
      if (field === 'data') return data(value);
      if (field === 'error') throw errorFromPayload(parseJson(value) ?? { message: value });
      if (IGNORED_FIELDS.has(field)) return NOTHING;
      throw malformed(text);
    },
    finish: () => {
      const { finish_reason } = ending;
      if (finish_reason === null) throw new LlmError('llm_error', 'stream ended without a finish');
      return { type: 'finish', ...ending, finish_reason };
    },
  };
}

function malformed(line: string): LlmError {
  const shown = line.length > 200 ? `${line.slice(0, 200)}...` : line;
  return new LlmError('llm_error', `malformed line in the llama.cpp stream: ${JSON.stringify(shown)}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function pickTimings(timings: Record<string, unknown>): CompletionTimings | null {
  const picked: CompletionTimings = {};
  for (const key of TIMING_KEYS) {
    const value = numberOrNull(timings[key]);
    if (value !== null) picked[key] = value;
  }
  return Object.keys(picked).length > 0 ? picked : null;
}
