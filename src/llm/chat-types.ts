import type { CompletionTimings } from '../domain/conversation/conversation.events.js';
import type { GenerationOptions } from '../domain/shared/generation-settings.js';

export type { CompletionTimings };

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** How llama.cpp is asked to generate: the model, gpt-oss's reasoning effort, and sampling under llama.cpp's names. */
export type ChatOptions = Omit<GenerationOptions, 'knowledge'>;

export type ChatChunk =
  | { type: 'delta'; content: string }
  | { type: 'reasoning'; content: string }
  | {
      type: 'finish';
      finish_reason: 'stop' | 'length';
      completion_tokens: number | null;
      prompt_tokens: number | null;
      timings: CompletionTimings | null;
      model: string | null;
    };

export type ChatRequest = { messages: ChatMessage[]; options?: ChatOptions };
