import { assertNever } from '../shared/assert-never.js';
import type { JsonObject } from '../shared/decider.js';
import { applySettings, type GenerationSettings } from '../shared/generation-settings.js';
import type { ConversationEvent, Reaction, TitleSource } from './conversation.events.js';

export type MessageStatus = 'streaming' | 'complete' | 'cancelled' | 'failed';

export type MessageSummary = {
  role: 'user' | 'assistant';
  status: MessageStatus;
  parent_message_id: string | null;
  reaction: Reaction | null;
};

export type ConversationState =
  | { status: 'missing' }
  /** Erased: nothing of it is known any more, and its id is never used again. */
  | { status: 'purged' }
  | {
      status: 'active' | 'deleted';
      id: string;
      project_id: string | null;
      title: string | null;
      /** null while it has no title. */
      title_source: TitleSource | null;
      metadata: JsonObject;
      /** Its generation overrides of its project's defaults. */
      settings: GenerationSettings;
      created: { project_id: string | null; title: string | null; metadata: JsonObject; settings: GenerationSettings };
      messages: Map<string, MessageSummary>;
      /** The message a new one replies to by default: the newest one posted, or the one selected. */
      leaf_message_id: string | null;
    };

export const initialConversationState = (): ConversationState => ({ status: 'missing' });

/**
 * Folds one event. For speed on long conversations the message index is updated in place:
 * a fold owns the state it builds, so no caller observes the mutation.
 */
export function evolveConversation(state: ConversationState, event: ConversationEvent): ConversationState {
  if (event.type === 'ConversationCreated') {
    const { conversation_id, settings = {}, ...fields } = event.data;
    return {
      status: 'active',
      id: conversation_id,
      ...fields,
      settings,
      title_source: fields.title === null ? null : 'person',
      created: { ...fields, settings },
      messages: new Map(),
      leaf_message_id: null,
    };
  }
  if (event.type === 'ConversationImported') {
    const { conversation_id, project_id, title, metadata, current_leaf_id, settings = {} } = event.data;
    return {
      status: 'active',
      id: conversation_id,
      project_id,
      title,
      // Named where it came from: a generated title never replaces it by itself.
      title_source: title === null ? null : 'person',
      metadata,
      settings,
      created: { project_id, title, metadata, settings },
      messages: new Map(),
      leaf_message_id: current_leaf_id,
    };
  }
  if (event.type === 'ConversationPurged') return { status: 'purged' };
  if (state.status === 'missing' || state.status === 'purged') return state;
  switch (event.type) {
    case 'ConversationRenamed': {
      const { title, source = 'person' } = event.data;
      return { ...state, title, title_source: title === null ? null : source };
    }
    case 'ConversationMoved':
      return { ...state, project_id: event.data.to_project_id };
    case 'ConversationMetadataChanged':
      return { ...state, metadata: event.data.metadata };
    case 'ConversationSettingsChanged':
      return { ...state, settings: applySettings(state.settings, event.data.settings) };
    case 'ConversationDeleted':
      return { ...state, status: 'deleted' };
    case 'ConversationRestored':
      return { ...state, status: 'active' };
    case 'UserMessagePosted':
    case 'AssistantResponseStarted': {
      const { message_id, parent_message_id } = event.data;
      const role = event.type === 'UserMessagePosted' ? 'user' : 'assistant';
      const status = role === 'user' ? 'complete' : 'streaming';
      state.messages.set(message_id, { role, status, parent_message_id, reaction: null });
      return { ...state, leaf_message_id: message_id };
    }
    case 'MessageImported': {
      const { message_id, role, status, parent_message_id, reaction } = event.data;
      state.messages.set(message_id, { role, status, parent_message_id, reaction });
      return state;
    }
    case 'AssistantResponseProgressed':
    case 'AnswerSourcesFound':
      return state;
    case 'CurrentLeafSelected':
      return { ...state, leaf_message_id: event.data.message_id };
    case 'MessageCompleted':
      return withMessage(state, event.data.message_id, { status: 'complete' });
    case 'MessageFailed':
      return withMessage(state, event.data.message_id, { status: 'failed' });
    case 'MessageCancelled':
      return withMessage(state, event.data.message_id, { status: 'cancelled' });
    case 'MessageReactionChanged':
      return withMessage(state, event.data.message_id, { reaction: event.data.reaction });
    default:
      return assertNever(event);
  }
}

function withMessage(
  state: Extract<ConversationState, { messages: unknown }>,
  messageId: string,
  change: Partial<MessageSummary>,
): ConversationState {
  const message = state.messages.get(messageId);
  if (message) state.messages.set(messageId, { ...message, ...change });
  return state;
}
