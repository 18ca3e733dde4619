import type { JsonObject } from '../shared/decider.js';
import type { GenerationSettings, SettingsChange } from '../shared/generation-settings.js';

export type Reaction = 'thumbs_up' | 'thumbs_down';
export type FinishReason = 'stop' | 'length';
/** How an answer ended, as the message read model shows it. */
export type MessageFinishReason = FinishReason | 'cancelled';

/**
 * llama.cpp's own timings of one completion, plus what we measured: ttft_ms (to the first token of either kind) and
 * reasoning_ms (from the first reasoning token to the first answer token, or to the end when the answer never began).
 */
export type CompletionTimings = {
  cache_n?: number;
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
  ttft_ms?: number;
  reasoning_ms?: number;
};

type Of<T extends string, D> = { type: T; data: { conversation_id: string } & D };

/** `settings` is there only when some were set at creation (and in no event recorded before settings were). */
export type ConversationCreated = Of<
  'ConversationCreated',
  { project_id: string | null; title: string | null; metadata: JsonObject; settings?: GenerationSettings }
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
/** The generation overrides that changed: a value set, or null for one cleared. */
export type ConversationSettingsChanged = Of<'ConversationSettingsChanged', { settings: SettingsChange }>;
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
/**
 * A checkpoint of a streaming answer: the answer text and the reasoning produced since the previous one. A
 * checkpoint without reasoning (all of them before reasoning was kept) has no `reasoning_delta`.
 */
export type AssistantResponseProgressed = Of<
  'AssistantResponseProgressed',
  { message_id: string; delta: string; reasoning_delta?: string }
>;
/** A passage of a document an answer was given as a numbered source, [n] in its text. */
export type AnswerSource = {
  n: number;
  document_id: string;
  document_name: string;
  chunk_id: string;
  pages: number[];
  heading: string[];
  score: number;
  snippet: string;
};
/** How the sources were found: by vectors and full text, or by full text only (and why). */
export type SourceRetrieval = {
  mode: 'hybrid' | 'full_text';
  reason?: 'embedding_disabled' | 'embedding_failed';
  error?: string;
  reranked: boolean;
};
/** The sources put into an answer's prompt, found before its first token. */
export type AnswerSourcesFound = Of<
  'AnswerSourcesFound',
  { message_id: string; sources: AnswerSource[]; retrieval: SourceRetrieval }
>;
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
    /** The model's thinking, apart from the answer; null or absent (events before it was kept): none. */
    reasoning?: string | null;
    /** The context this turn filled: prompt plus answer tokens, of the slot's n_ctx; absent when not known. */
    context?: AnswerContext;
  }
>;
/** How much of the model's context an answer used (a UI's "62 % of context used"). */
export type AnswerContext = { used: number; n_ctx: number | null };
/** `partial_reasoning`: the thinking so far; null or absent (events before it was kept): none. */
export type MessageFailed = Of<
  'MessageFailed',
  { message_id: string; error: string; error_type: string; partial_content: string; partial_reasoning?: string | null }
>;
export type MessageCancelled = Of<
  'MessageCancelled',
  { message_id: string; partial_content: string; partial_reasoning?: string | null }
>;
export type MessageReactionChanged = Of<'MessageReactionChanged', { message_id: string; reaction: Reaction | null }>;
export type CurrentLeafSelected = Of<'CurrentLeafSelected', { message_id: string }>;

/** Where an imported conversation came from: an export of this API, ChatGPT's, or a branch of another conversation. */
export type ImportSource =
  | { kind: 'export'; conversation_id: string }
  | { kind: 'chatgpt'; conversation_id: string | null }
  | { kind: 'fork'; conversation_id: string; message_id: string };

/** A message as it stood where it comes from: text, outcome and times included. Never one still streaming. */
export type ImportedMessage = {
  message_id: string;
  parent_message_id: string | null;
  role: 'user' | 'assistant';
  content: string;
  /** The answer's thinking; null or absent (imports before it was kept): none. */
  reasoning?: string | null;
  status: 'complete' | 'failed' | 'cancelled';
  finish_reason: MessageFinishReason | null;
  reaction: Reaction | null;
  token_count: number | null;
  model_name: string | null;
  completion_time_ms: number | null;
  metadata: JsonObject;
  created_at: string;
  updated_at: string;
};

/**
 * A conversation brought in whole, with its own times. Its messages follow as MessageImported events in the same
 * append, parents first; `current_leaf_id` names one of them (null when there are none).
 */
export type ConversationImported = Of<
  'ConversationImported',
  {
    project_id: string | null;
    title: string | null;
    metadata: JsonObject;
    created_at: string;
    updated_at: string;
    current_leaf_id: string | null;
    source: ImportSource;
    /** Only when it had some (and in no event recorded before settings were). */
    settings?: GenerationSettings;
  }
>;
export type MessageImported = Of<'MessageImported', ImportedMessage>;

export type ConversationEvent =
  | ConversationCreated
  | ConversationRenamed
  | ConversationMoved
  | ConversationMetadataChanged
  | ConversationSettingsChanged
  | ConversationDeleted
  | ConversationRestored
  | ConversationPurged
  | UserMessagePosted
  | AssistantResponseStarted
  | AssistantResponseProgressed
  | AnswerSourcesFound
  | MessageCompleted
  | MessageFailed
  | MessageCancelled
  | MessageReactionChanged
  | CurrentLeafSelected
  | ConversationImported
  | MessageImported;

export const conversationEventTypes = [
  'ConversationCreated',
  'ConversationRenamed',
  'ConversationMoved',
  'ConversationMetadataChanged',
  'ConversationSettingsChanged',
  'ConversationDeleted',
  'ConversationRestored',
  'ConversationPurged',
  'UserMessagePosted',
  'AssistantResponseStarted',
  'AssistantResponseProgressed',
  'AnswerSourcesFound',
  'MessageCompleted',
  'MessageFailed',
  'MessageCancelled',
  'MessageReactionChanged',
  'CurrentLeafSelected',
  'ConversationImported',
  'MessageImported',
] as const satisfies readonly ConversationEvent['type'][];

/** Compiles only while the list names every event of the union. */
export const everyConversationEventListed: Exclude<
  ConversationEvent['type'],
  (typeof conversationEventTypes)[number]
> extends never
  ? true
  : never = true;
