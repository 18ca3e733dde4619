import type { JsonObject } from '../shared/decider.js';
import type { GenerationOptions, GenerationSettings, SettingsChange } from '../shared/generation-settings.js';
import type { IdTakenBy } from '../shared/id-owner.js';
import type { ProjectDefaults } from './generation.js';
import type {
  ImportedMessage,
  ImportSource,
  AssistantResponseProgressed,
  AnswerSourcesFound,
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
  {
    project_id: string | null;
    project_status: ProjectStatus | null;
    title: string | null;
    metadata: JsonObject;
    settings: GenerationSettings;
    /** What else the id already names (a client may choose it); looked up by the command layer. */
    id_taken_by: IdTakenBy;
  }
>;
export type UpdateConversation = Of<
  'UpdateConversation',
  {
    title?: string | null;
    /** undefined: stay; null: no project; a string: move there. */
    project_id?: string | null;
    project_status?: ProjectStatus | null;
    metadata?: JsonObject;
    settings?: SettingsChange;
    /** The message whose branch a client shows and the next question replies to. */
    current_leaf_id?: string;
  }
>;
export type DeleteConversation = Of<'DeleteConversation', object>;
export type RestoreConversation = Of<'RestoreConversation', object>;
/** Erases the conversation for good: its events and read rows, leaving a tombstone. */
export type PurgeConversation = Of<'PurgeConversation', object>;
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
/** A question and the start of its answer, stored together before llama.cpp is called. */
export type AskQuestion = Of<
  'AskQuestion',
  {
    user_message_id: string;
    assistant_message_id: string;
    /** undefined: reply to the current leaf; null: start a new root. */
    parent_message_id?: string | null;
    content: string;
    metadata: JsonObject;
    assistant_metadata: JsonObject;
    /** MAX_MESSAGE_LENGTH, in characters (code points). */
    max_content_length: number;
    /** Where the conversation's project stands (null: in none); in a deleted one it is not shown, nor asked. */
    project_status: ProjectStatus | null;
    /** What the request asks the answer to be generated with, over the conversation's and the project's settings. */
    options: GenerationOptions;
    /** Its project's settings and metadata (null: in none), loaded by the command layer. */
    project_defaults: ProjectDefaults | null;
    /** The models llama.cpp serves, when it said (see ServedModelIds); a model named but not served is refused. */
    served_models?: ServedModelIds | null;
  }
>;
/**
 * The ids (and aliases) of the models llama.cpp serves, as the chat looked them up before asking: one for a server
 * started with -m, each of a router's (llama-server --models-dir).
 */
export type ServedModelIds = readonly string[];
/** A new answer to the question an earlier answer replied to; the old one stays as a sibling. */
export type RegenerateResponse = Of<
  'RegenerateResponse',
  {
    message_id: string;
    new_message_id: string;
    assistant_metadata: JsonObject;
    options: GenerationOptions;
    project_defaults: ProjectDefaults | null;
    served_models?: ServedModelIds | null;
  }
>;
/** A title the model suggested; with `unless_named`, kept out when a person named the conversation. */
export type ApplyGeneratedTitle = Of<'ApplyGeneratedTitle', { title: string; unless_named: boolean }>;
/**
 * Copying the branch root -> `message_id` into a new conversation (an ImportConversation on the new stream) is
 * decided first on the source: it changes nothing there, and refuses a branch still being written.
 */
export type ForkConversation = Of<
  'ForkConversation',
  {
    message_id: string;
    /** Where the conversation's project stands (null: in none); in a deleted one it is not shown, nor forked. */
    project_status: ProjectStatus | null;
  }
>;
export type SelectCurrentLeaf = Of<'SelectCurrentLeaf', { message_id: string }>;
/**
 * A whole conversation made at once, with the times, outcomes and tree of where it comes from: an import, or a fork
 * of another conversation's branch. Messages come parents first; their ids are new, made by the caller.
 */
export type ImportConversation = Of<
  'ImportConversation',
  {
    project_id: string | null;
    project_status: ProjectStatus | null;
    title: string | null;
    metadata: JsonObject;
    created_at: string;
    updated_at: string;
    current_leaf_id: string | null;
    source: ImportSource;
    settings: GenerationSettings;
    messages: ImportedMessage[];
  }
>;

// Recording what llama.cpp produced carries exactly the data of the event it records.
export type StartAssistantResponse = { type: 'StartAssistantResponse'; data: AssistantResponseStarted['data'] };
export type CheckpointResponse = { type: 'CheckpointResponse'; data: AssistantResponseProgressed['data'] };
export type AttachSources = { type: 'AttachSources'; data: AnswerSourcesFound['data'] };
export type CompleteMessage = { type: 'CompleteMessage'; data: MessageCompleted['data'] };
export type FailMessage = { type: 'FailMessage'; data: MessageFailed['data'] };
export type CancelMessage = { type: 'CancelMessage'; data: MessageCancelled['data'] };
export type SetReaction = { type: 'SetReaction'; data: MessageReactionChanged['data'] };

export type ConversationCommand =
  | CreateConversation
  | UpdateConversation
  | DeleteConversation
  | RestoreConversation
  | PurgeConversation
  | PostUserMessage
  | StartAssistantResponse
  | AskQuestion
  | RegenerateResponse
  | SelectCurrentLeaf
  | ForkConversation
  | ApplyGeneratedTitle
  | CheckpointResponse
  | AttachSources
  | CompleteMessage
  | FailMessage
  | CancelMessage
  | SetReaction
  | ImportConversation;
