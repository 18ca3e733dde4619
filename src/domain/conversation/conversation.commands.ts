import type { JsonObject } from '../shared/decider.js';
import type {
  AssistantResponseStarted,
  MessageCancelled,
  MessageCompleted,
  MessageFailed,
  MessageReactionChanged,
} from './conversation.events.js';

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
// Recording what llama.cpp produced carries exactly the data of the event it records.
export type StartAssistantResponse = { type: 'StartAssistantResponse'; data: AssistantResponseStarted['data'] };
export type CompleteMessage = { type: 'CompleteMessage'; data: MessageCompleted['data'] };
export type FailMessage = { type: 'FailMessage'; data: MessageFailed['data'] };
export type CancelMessage = { type: 'CancelMessage'; data: MessageCancelled['data'] };
export type SetReaction = { type: 'SetReaction'; data: MessageReactionChanged['data'] };

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
