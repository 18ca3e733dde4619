import type { CompletionTimings } from '../domain/conversation/conversation.events.js';

export type { CompletionTimings };

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

export type ChatOptions = { temperature?: number; top_p?: number; max_tokens?: number; stop?: string[] };

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
