import type { AnswerSource, MessageFinishReason, SourceRetrieval } from '../domain/conversation/conversation.events.js';

export type ChatErrorType = 'llm_unavailable' | 'llm_error' | 'context_overflow' | 'timeout' | 'cancelled' | 'internal';

/** What a chat stream sends, compatible with the original GPT-OSS UI. */
export type ChatEventData =
  | { type: 'start'; session_id: string; conversation_id: string; user_message_id: string | null; message_id: string }
  | { type: 'queued'; session_id: string; position: number }
  /** The passages of the project's documents the answer was given, numbered as it cites them. */
  | { type: 'sources'; message_id: string; sources: AnswerSource[]; retrieval: SourceRetrieval }
  | { type: 'token'; token: string; message_id: string; session_id: string }
  /** A piece of the model's thinking, before its answer's tokens. */
  | { type: 'reasoning'; token: string; message_id: string; session_id: string }
  | {
      type: 'complete';
      message_id: string;
      token_count: number | null;
      completion_time_ms: number;
      finish_reason: MessageFinishReason;
      /** Cut by max_tokens or the context while still reasoning: the answer's text never began. */
      cut_while_reasoning: boolean;
    }
  | { type: 'error'; error: string; error_type: ChatErrorType };

/** A chat event with its sequence number within the session: the SSE `id:`. */
export type ChatEvent = { id: number; data: ChatEventData };

export const isFinal = (data: ChatEventData) => data.type === 'complete' || data.type === 'error';
