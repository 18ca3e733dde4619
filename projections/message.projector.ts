import { assertNever } from '../src/domain/shared/assert-never.js';
import type { JsonObject } from '../src/domain/shared/decider.js';
import type { Projector } from './projector.js';
import { placeUnder } from './message-tree.js';
import { append, type ReadModelWrites } from './read-model-writes.js';

export const messageProjector: Projector = {
  name: 'message',
  owns: ['messages'],
  async project(writes, event) {
    const at = event.created_at;
    switch (event.type) {
      case 'UserMessagePosted':
      case 'AssistantResponseStarted': {
        const { conversation_id, message_id, parent_message_id, metadata } = event.data;
        const user = event.type === 'UserMessagePosted';
        const place = placeUnder(parent_message_id ? await treePlaceOf(writes, parent_message_id) : null);
        await writes.insert('messages', {
          id: message_id,
          conversation_id,
          seq: event.stream_version,
          role: user ? 'user' : 'assistant',
          content: user ? event.data.content : '',
          reasoning: null,
          status: user ? 'complete' : 'streaming',
          finish_reason: null,
          reaction: null,
          parent_message_id,
          token_count: null,
          model_name: null,
          completion_time_ms: null,
          metadata,
          depth: place.depth,
          anchor_id: place.anchor_id,
          created_at: at,
          updated_at: at,
        });
        return;
      }
      case 'MessageImported': {
        const { message_id, parent_message_id, ...message } = event.data;
        const place = placeUnder(parent_message_id ? await treePlaceOf(writes, parent_message_id) : null);
        await writes.insert('messages', {
          id: message_id,
          conversation_id: message.conversation_id,
          seq: event.stream_version,
          role: message.role,
          content: message.content,
          reasoning: message.reasoning ?? null,
          status: message.status,
          finish_reason: message.finish_reason,
          reaction: message.reaction,
          parent_message_id,
          token_count: message.token_count,
          model_name: message.model_name,
          completion_time_ms: message.completion_time_ms,
          metadata: message.metadata,
          depth: place.depth,
          anchor_id: place.anchor_id,
          created_at: message.created_at,
          updated_at: message.updated_at,
        });
        return;
      }
      case 'MessageCompleted': {
        const { message_id, content, token_count, model_name, completion_time_ms, finish_reason, timings } = event.data;
        const reasoning = event.data.reasoning ?? null;
        const metadata = await metadataOf(writes, message_id);
        const cutWhileReasoning = finish_reason === 'length' && content === '' && !!reasoning;
        await writes.update('messages', message_id, {
          content,
          reasoning,
          status: 'complete',
          token_count,
          model_name,
          completion_time_ms,
          finish_reason,
          metadata: {
            ...metadata,
            timings,
            ...(event.data.context ? { context: event.data.context } : {}),
            ...(cutWhileReasoning ? { cut_while_reasoning: true } : {}),
          },
          updated_at: at,
        });
        return;
      }
      case 'AnswerSourcesFound': {
        const { message_id, sources, retrieval } = event.data;
        const metadata = await metadataOf(writes, message_id);
        await writes.update('messages', message_id, { metadata: { ...metadata, sources, retrieval }, updated_at: at });
        return;
      }
      case 'MessageFailed': {
        const { message_id, partial_content, error, error_type } = event.data;
        const metadata = await metadataOf(writes, message_id);
        await writes.update('messages', message_id, {
          content: partial_content,
          reasoning: event.data.partial_reasoning ?? null,
          status: 'failed',
          metadata: { ...metadata, error, error_type },
          updated_at: at,
        });
        return;
      }
      case 'AssistantResponseProgressed': {
        const { delta, reasoning_delta } = event.data;
        await writes.update('messages', event.data.message_id, {
          ...(delta === '' ? {} : { content: append(delta) }),
          ...(reasoning_delta ? { reasoning: append(reasoning_delta) } : {}),
          updated_at: at,
        });
        return;
      }
      case 'MessageCancelled':
        await writes.update('messages', event.data.message_id, {
          content: event.data.partial_content,
          reasoning: event.data.partial_reasoning ?? null,
          status: 'cancelled',
          finish_reason: 'cancelled',
          updated_at: at,
        });
        return;
      case 'MessageReactionChanged':
        await writes.update('messages', event.data.message_id, { reaction: event.data.reaction, updated_at: at });
        return;
      case 'ConversationPurged':
        await writes.delete('messages', 'conversation_id', event.data.conversation_id);
        return;
      case 'ProjectCreated':
      case 'ProjectUpdated':
      case 'ProjectSettingsChanged':
      case 'ProjectDeleted':
      case 'ProjectRestored':
      case 'ProjectPurged':
      case 'ConversationCreated':
      case 'ConversationImported':
      case 'ConversationRenamed':
      case 'ConversationMoved':
      case 'ConversationMetadataChanged':
      case 'ConversationSettingsChanged':
      case 'ConversationDeleted':
      case 'ConversationRestored':
      case 'CurrentLeafSelected':
        return;
      case 'DocumentAdded':
      case 'DocumentTextExtracted':
      case 'DocumentUnreadable':
      case 'DocumentChunked':
      case 'DocumentChunksEmbedded':
      case 'DocumentReindexRequested':
      case 'DocumentDeleted':
      case 'DocumentRestored':
      case 'DocumentPurged':
        return;
      default:
        assertNever(event);
    }
  },
};

const metadataOf = async (writes: ReadModelWrites, id: string): Promise<JsonObject> =>
  (await writes.row('messages', id, ['metadata'])).metadata;

const treePlaceOf = async (writes: ReadModelWrites, id: string) => {
  const parent = await writes.row('messages', id, ['depth', 'anchor_id']);
  return { id, depth: Number(parent.depth), anchor_id: parent.anchor_id ?? null };
};
