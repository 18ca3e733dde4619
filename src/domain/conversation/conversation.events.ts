import type { JsonObject } from '../shared/decider.js';

export type Reaction = 'thumbs_up' | 'thumbs_down';
export type FinishReason = 'stop' | 'length';
/** How an answer ended, as the message read model shows it. */
export type MessageFinishReason = FinishReason | 'cancelled';

/** llama.cpp's own timings of one completion, plus what we measured (ttft_ms). */
export type CompletionTimings = {
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
  ttft_ms?: number;
};

type Of<T extends string, D> = { type: T; data: { conversation_id: string } & D };

export type ConversationCreated = Of<
  'ConversationCreated',
  { project_id: string | null; title: string | null; metadata: JsonObject }
>;
/** Who named a conversation: a person, or automatically from its first question, or by the model. */
export type TitleSource = 'person' | 'question' | 'model';
/** `source` is absent when a person renamed it (and in every rename recorded before sources were). */
export type ConversationRenamed = Of<
  'ConversationRenamed',
  { title: string | null; source?: Exclude<TitleSource, 'person'> }
>;
export type ConversationMoved = Of<
  'ConversationMoved',
  { from_project_id: string | null; to_project_id: string | null }
>;
export type ConversationMetadataChanged = Of<'ConversationMetadataChanged', { metadata: JsonObject }>;
export type ConversationDeleted = Of<'ConversationDeleted', object>;
export type ConversationRestored = Of<'ConversationRestored', object>;
/** The tombstone of a permanently deleted conversation: the only event its stream keeps, carrying no content. */
export type ConversationPurged = Of<'ConversationPurged', object>;

export type UserMessagePosted = Of<
  'UserMessagePosted',
  { message_id: string; parent_message_id: string | null; content: string; metadata: JsonObject }
>;
export type AssistantResponseStarted = Of<
  'AssistantResponseStarted',
  { message_id: string; parent_message_id: string; metadata: JsonObject }
>;
/** A checkpoint of a streaming answer: the text produced since the previous one. */
export type AssistantResponseProgressed = Of<'AssistantResponseProgressed', { message_id: string; delta: string }>;
export type MessageCompleted = Of<
  'MessageCompleted',
  {
    message_id: string;
    content: string;
    token_count: number | null;
    model_name: string | null;
    completion_time_ms: number | null;
    finish_reason: FinishReason;
    timings: CompletionTimings;
  }
>;
export type MessageFailed = Of<
  'MessageFailed',
  { message_id: string; error: string; error_type: string; partial_content: string }
>;
export type MessageCancelled = Of<'MessageCancelled', { message_id: string; partial_content: string }>;
export type MessageReactionChanged = Of<'MessageReactionChanged', { message_id: string; reaction: Reaction | null }>;
export type CurrentLeafSelected = Of<'CurrentLeafSelected', { message_id: string }>;

export type ConversationEvent =
  | ConversationCreated
  | ConversationRenamed
  | ConversationMoved
  | ConversationMetadataChanged
  | ConversationDeleted
  | ConversationRestored
  | ConversationPurged
  | UserMessagePosted
  | AssistantResponseStarted
  | AssistantResponseProgressed
  | MessageCompleted
  | MessageFailed
  | MessageCancelled
  | MessageReactionChanged
  | CurrentLeafSelected;

export const conversationEventTypes = [
  'ConversationCreated',
  'ConversationRenamed',
  'ConversationMoved',
  'ConversationMetadataChanged',
  'ConversationDeleted',
  'ConversationRestored',
  'ConversationPurged',
  'UserMessagePosted',
  'AssistantResponseStarted',
  'AssistantResponseProgressed',
  'MessageCompleted',
  'MessageFailed',
  'MessageCancelled',
  'MessageReactionChanged',
  'CurrentLeafSelected',
] as const satisfies readonly ConversationEvent['type'][];
