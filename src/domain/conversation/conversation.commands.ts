import type { JsonObject } from '../shared/decider.js';
import type { CompletionTimings, FinishReason, Reaction } from './conversation.events.js';

/** Where a referenced project stands; the application layer looks it up before deciding. */
export type ProjectStatus = 'active' | 'deleted' | 'missing';

type Of<T extends string, D> = { type: T; data: { conversation_id: string } & D };

export type CreateConversation = Of<
  'CreateConversation',
  { project_id: string | null; project_status: ProjectStatus | null; title: string | null; metadata: JsonObject }
>;
export type UpdateConversation = Of<
  'UpdateConversation',
  {
    title?: string | null;
    /** undefined: stay; null: no project; a string: move there. */
    project_id?: string | null;
    project_status?: ProjectStatus | null;
    metadata?: JsonObject;
  }
>;
export type DeleteConversation = Of<'DeleteConversation', object>;
export type RestoreConversation = Of<'RestoreConversation', object>;
export type PostUserMessage = Of<
  'PostUserMessage',
  {
    message_id: string;
    /** undefined: reply to the current leaf; null: start a new root. */
    parent_message_id?: string | null;
    content: string;
    metadata: JsonObject;
  }
>;
export type StartAssistantResponse = Of<
  'StartAssistantResponse',
  { message_id: string; parent_message_id: string; metadata: JsonObject }
>;
export type CompleteMessage = Of<
  'CompleteMessage',
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
export type FailMessage = Of<
  'FailMessage',
  { message_id: string; error: string; error_type: string; partial_content: string }
>;
export type CancelMessage = Of<'CancelMessage', { message_id: string; partial_content: string }>;
export type SetReaction = Of<'SetReaction', { message_id: string; reaction: Reaction | null }>;

export type ConversationCommand =
  | CreateConversation
  | UpdateConversation
  | DeleteConversation
  | RestoreConversation
  | PostUserMessage
  | StartAssistantResponse
  | CompleteMessage
  | FailMessage
  | CancelMessage
  | SetReaction;
