import { assertNever } from '../shared/assert-never.js';
import type { JsonObject } from '../shared/decider.js';
import { conflict, invalid, invalidField, notFound } from '../shared/domain-error.js';
import { changedSettings, settingsIfAny, settingsJson } from '../shared/generation-settings.js';
import { sameJson } from '../shared/same-json.js';
import type { ConversationCommand, ProjectStatus, ServedModelIds } from './conversation.commands.js';
import type { ConversationEvent } from './conversation.events.js';
import type { ConversationState, MessageSummary } from './conversation.state.js';
import { decideFork } from './conversation-fork.decide.js';
import { decideImport } from './conversation-import.decide.js';
import { generationFor, type ProjectDefaults } from './generation.js';
import type { GenerationOptions } from '../shared/generation-settings.js';

type Existing = Extract<ConversationState, { status: 'active' | 'deleted' }>;

export function decideConversation(command: ConversationCommand, state: ConversationState): ConversationEvent[] {
  const { conversation_id } = command.data;
  switch (command.type) {
    case 'CreateConversation': {
      const { project_id, title, metadata, settings, project_status, id_taken_by } = command.data;
      if (state.status === 'purged') throw conflict(`Conversation ${conversation_id} was purged; its id is not reused`);
      if (state.status !== 'missing') {
        // A retried create with the same id and body is answered with what exists.
        if (sameJson({ project_id, title, metadata, settings }, state.created)) return [];
        throw conflict(`Conversation ${conversation_id} already exists with a different body`);
      }
      if (id_taken_by !== null) throw conflict(`Id ${conversation_id} already belongs to a ${id_taken_by}`);
      if (project_id !== null) requireProject(project_id, project_status ?? 'missing');
      return [
        {
          type: 'ConversationCreated',
          data: { conversation_id, project_id, title, metadata, ...settingsIfAny(settings) },
        },
      ];
    }
    case 'UpdateConversation': {
      const current = requireActive(state, conversation_id);
      const { title, project_id, project_status, metadata } = command.data;
      const events: ConversationEvent[] = [];
      if (title !== undefined && title !== current.title) {
        events.push({ type: 'ConversationRenamed', data: { conversation_id, title } });
      }
      if (project_id !== undefined && project_id !== current.project_id) {
        if (project_id !== null) requireProject(project_id, project_status ?? 'missing');
        events.push({
          type: 'ConversationMoved',
          data: { conversation_id, from_project_id: current.project_id, to_project_id: project_id },
        });
      }
      if (metadata !== undefined && !sameJson(metadata, current.metadata)) {
        events.push({ type: 'ConversationMetadataChanged', data: { conversation_id, metadata } });
      }
      const settings = changedSettings(current.settings, command.data.settings ?? {});
      if (Object.keys(settings).length > 0) {
        events.push({ type: 'ConversationSettingsChanged', data: { conversation_id, settings } });
      }
      const leaf = command.data.current_leaf_id;
      if (leaf !== undefined && leaf !== current.leaf_message_id) {
        if (!current.messages.has(leaf)) {
          throw invalid(`Message ${leaf} is not in this conversation`, '/current_leaf_id');
        }
        events.push({ type: 'CurrentLeafSelected', data: { conversation_id, message_id: leaf } });
      }
      return events;
    }
    case 'DeleteConversation':
      return requireExisting(state, conversation_id).status === 'deleted'
        ? []
        : [{ type: 'ConversationDeleted', data: { conversation_id } }];
    case 'RestoreConversation':
      return requireExisting(state, conversation_id).status === 'active'
        ? []
        : [{ type: 'ConversationRestored', data: { conversation_id } }];
    case 'PurgeConversation':
      // An answer being written would be recorded into a stream that no longer holds its question.
      requireIdle(requireExisting(state, conversation_id));
      return [{ type: 'ConversationPurged', data: { conversation_id } }];
    case 'PostUserMessage': {
      const current = requireActive(state, conversation_id);
      const { message_id, content, metadata } = command.data;
      requireNewMessage(current, message_id);
      const parent_message_id = parentFor(current, command.data.parent_message_id);
      return [
        { type: 'UserMessagePosted', data: { conversation_id, message_id, parent_message_id, content, metadata } },
      ];
    }
    case 'StartAssistantResponse': {
      const current = requireActive(state, conversation_id);
      const { message_id, parent_message_id, metadata } = command.data;
      requireNewMessage(current, message_id);
      if (current.messages.get(parent_message_id)?.role !== 'user') {
        throw invalid(`Parent message ${parent_message_id} is not a user message of this conversation`);
      }
      return [{ type: 'AssistantResponseStarted', data: { conversation_id, message_id, parent_message_id, metadata } }];
    }
    case 'AskQuestion': {
      const { user_message_id, assistant_message_id, content, metadata } = command.data;
      // Before the conversation is looked at: too long a question is refused whatever it is asked in.
      requireLength(content, command.data.max_content_length);
      const current = requireShown(state, conversation_id, command.data.project_status);
      requireIdle(current);
      requireNewMessage(current, user_message_id);
      requireNewMessage(current, assistant_message_id);
      const parent_message_id = parentFor(current, command.data.parent_message_id);
      const firstQuestion = ![...current.messages.values()].some((m) => m.role === 'user');
      return [
        {
          type: 'UserMessagePosted',
          data: { conversation_id, message_id: user_message_id, parent_message_id, content, metadata },
        },
        ...(current.title === null && firstQuestion
          ? [
              {
                type: 'ConversationRenamed' as const,
                data: { conversation_id, title: titleFrom(content), source: 'question' as const },
              },
            ]
          : []),
        {
          type: 'AssistantResponseStarted',
          data: {
            conversation_id,
            message_id: assistant_message_id,
            parent_message_id: user_message_id,
            metadata: answerMetadata(current, command.data),
          },
        },
      ];
    }
    case 'RegenerateResponse': {
      const current = requireActive(state, conversation_id);
      const { message_id, new_message_id } = command.data;
      const previous = requireMessage(current, message_id);
      if (previous.role !== 'assistant' || previous.parent_message_id === null) {
        throw invalidField(
          { in: 'params', pointer: '/id', message: 'is not an assistant message' },
          `Message ${message_id} is not an answer that can be regenerated`,
        );
      }
      requireIdle(current);
      requireNewMessage(current, new_message_id);
      return [
        {
          type: 'AssistantResponseStarted',
          data: {
            conversation_id,
            message_id: new_message_id,
            parent_message_id: previous.parent_message_id,
            metadata: answerMetadata(current, command.data),
          },
        },
      ];
    }
    case 'SelectCurrentLeaf': {
      const current = requireActive(state, conversation_id);
      if (!current.messages.has(command.data.message_id)) {
        throw invalid(`Message ${command.data.message_id} is not in this conversation`, '/current_leaf_id');
      }
      if (current.leaf_message_id === command.data.message_id) return [];
      return [{ type: 'CurrentLeafSelected', data: command.data }];
    }
    case 'ForkConversation':
      return decideFork(command, state);
    case 'ApplyGeneratedTitle': {
      const current = requireActive(state, conversation_id);
      const { title, unless_named } = command.data;
      if (unless_named && current.title_source === 'person') return [];
      if (title === current.title) return [];
      return [{ type: 'ConversationRenamed', data: { conversation_id, title, source: 'model' } }];
    }
    case 'CheckpointResponse':
      requireStreaming(requireMessage(requireExisting(state, conversation_id), command.data.message_id));
      return command.data.delta === '' && !command.data.reasoning_delta
        ? []
        : [{ type: 'AssistantResponseProgressed', data: command.data }];
    case 'AttachSources':
      requireStreaming(requireMessage(requireExisting(state, conversation_id), command.data.message_id));
      return [{ type: 'AnswerSourcesFound', data: command.data }];
    case 'CompleteMessage':
      requireStreaming(requireMessage(requireExisting(state, conversation_id), command.data.message_id));
      return [{ type: 'MessageCompleted', data: command.data }];
    case 'FailMessage':
      requireStreaming(requireMessage(requireExisting(state, conversation_id), command.data.message_id));
      return [{ type: 'MessageFailed', data: command.data }];
    case 'CancelMessage':
      requireStreaming(requireMessage(requireExisting(state, conversation_id), command.data.message_id));
      return [{ type: 'MessageCancelled', data: command.data }];
    case 'SetReaction': {
      const message = requireMessage(requireActive(state, conversation_id), command.data.message_id);
      if (message.reaction === command.data.reaction) return [];
      return [{ type: 'MessageReactionChanged', data: command.data }];
    }
    case 'ImportConversation':
      return decideImport(command, state);
    default:
      return assertNever(command);
  }
}

/** An answer's metadata records what it is generated with (see generation.ts), so two answers can be compared. */
function answerMetadata(
  current: Existing,
  asked: {
    assistant_metadata: JsonObject;
    options: GenerationOptions;
    project_defaults: ProjectDefaults | null;
    served_models?: ServedModelIds | null;
  },
): JsonObject {
  const { system_prompt_source, ...fields } = generationFor({
    options: asked.options,
    conversation: current.settings,
    project: asked.project_defaults,
  });
  requireServed(fields.model, asked);
  return { ...asked.assistant_metadata, generation: { ...settingsJson(fields), system_prompt_source } };
}

/** A model llama.cpp does not serve is refused before anything is stored, naming where the name came from. */
function requireServed(
  model: string | undefined,
  asked: { options: GenerationOptions; served_models?: ServedModelIds | null },
): void {
  const served = asked.served_models;
  if (model === undefined || !served || served.includes(model)) return;
  const from = asked.options.model !== undefined ? 'the request' : 'the settings';
  throw invalidField({
    in: 'body',
    pointer: '/options/model',
    message: `model ${JSON.stringify(model)} (from ${from}) is not served by llama.cpp, which serves ${served.map((id) => JSON.stringify(id)).join(', ') || 'no model'}`,
  });
}

function requireExisting(state: ConversationState, id: string): Existing {
  if (state.status === 'missing' || state.status === 'purged') throw notFound(`Conversation ${id} not found`);
  return state;
}

function requireActive(state: ConversationState, id: string): Existing {
  if (state.status !== 'active') throw notFound(`Conversation ${id} not found`);
  return state;
}

/** Active, and not hidden by a deleted project: what the API shows, and lets a person ask. */
function requireShown(state: ConversationState, id: string, projectStatus: ProjectStatus | null): Existing {
  const current = requireActive(state, id);
  if (projectStatus === 'deleted') throw notFound(`Conversation ${id} not found`);
  return current;
}

function requireProject(projectId: string, status: ProjectStatus) {
  if (status !== 'active') throw invalid(`Project ${projectId} does not exist or is deleted`, '/project_id');
}

function requireNewMessage(state: Existing, messageId: string) {
  if (state.messages.has(messageId)) throw conflict(`Message ${messageId} already exists`);
}

function requireMessage(state: Existing, messageId: string): MessageSummary {
  const message = state.messages.get(messageId);
  if (!message) throw notFound(`Message ${messageId} not found`);
  return message;
}

function parentFor(state: Existing, asked: string | null | undefined): string | null {
  const parent = asked === undefined ? state.leaf_message_id : asked;
  if (parent !== null && !state.messages.has(parent)) {
    throw invalid(`Parent message ${parent} is not in this conversation`, '/parent_message_id');
  }
  return parent;
}

/** One answer at a time per conversation. */
function requireIdle(state: Existing) {
  for (const message of state.messages.values()) {
    if (message.status === 'streaming') throw conflict('This conversation already has an answer being generated');
  }
}

function requireLength(content: string, max: number) {
  if ([...content].length > max) {
    throw invalidField({
      in: 'body',
      pointer: '/message',
      message: `must be at most ${max} characters (MAX_MESSAGE_LENGTH)`,
    });
  }
}

const TITLE_LENGTH = 80;

/** An untitled conversation is named after the start of its first question. */
function titleFrom(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  return [...line].slice(0, TITLE_LENGTH).join('').trim() || 'Untitled';
}

function requireStreaming(message: MessageSummary) {
  if (message.status !== 'streaming') throw conflict(`Message is already ${message.status}`);
}
