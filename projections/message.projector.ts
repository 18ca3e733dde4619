import type { EntityManager } from '@mikro-orm/knex';
import { assertNever } from '../src/domain/shared/assert-never.js';
import { MessageView, type MessageRow } from './message.entity.js';
import type { Projector } from './projector.js';

export const messageProjector: Projector = {
  name: 'message',
  owns: [MessageView],
  async project(em, event) {
    const at = event.created_at;
    switch (event.type) {
      case 'UserMessagePosted':
      case 'AssistantResponseStarted': {
        const { conversation_id, message_id, parent_message_id, metadata } = event.data;
        const user = event.type === 'UserMessagePosted';
        em.create(MessageView, {
          id: message_id,
          conversation_id,
          seq: event.stream_version,
          role: user ? 'user' : 'assistant',
          content: user ? event.data.content : '',
          status: user ? 'complete' : 'streaming',
          finish_reason: null,
          reaction: null,
          parent_message_id,
          token_count: null,
          model_name: null,
          completion_time_ms: null,
          metadata,
          created_at: at,
          updated_at: at,
        });
        return;
      }
      case 'MessageCompleted': {
        const { message_id, content, token_count, model_name, completion_time_ms, finish_reason, timings } = event.data;
        const row = await load(em, message_id);
        em.assign(
          row,
          {
            content,
            status: 'complete',
            token_count,
            model_name,
            completion_time_ms,
            finish_reason,
            metadata: { ...row.metadata, timings },
            updated_at: at,
          },
          { mergeObjectProperties: false },
        );
        return;
      }
      case 'MessageFailed': {
        const { message_id, partial_content, error, error_type } = event.data;
        const row = await load(em, message_id);
        em.assign(
          row,
          {
            content: partial_content,
            status: 'failed',
            metadata: { ...row.metadata, error, error_type },
            updated_at: at,
          },
          { mergeObjectProperties: false },
        );
        return;
      }
      case 'AssistantResponseProgressed': {
        const row = await load(em, event.data.message_id);
        em.assign(row, { content: row.content + event.data.delta, updated_at: at });
        return;
      }
      case 'MessageCancelled': {
        const row = await load(em, event.data.message_id);
        em.assign(row, {
          content: event.data.partial_content,
          status: 'cancelled',
          finish_reason: 'cancelled',
          updated_at: at,
        });
        return;
      }
      case 'MessageReactionChanged': {
        const row = await load(em, event.data.message_id);
        em.assign(row, { reaction: event.data.reaction, updated_at: at });
        return;
      }
      case 'ProjectCreated':
      case 'ProjectUpdated':
      case 'ProjectDeleted':
      case 'ProjectRestored':
      case 'ConversationCreated':
      case 'ConversationRenamed':
      case 'ConversationMoved':
      case 'ConversationMetadataChanged':
      case 'ConversationDeleted':
      case 'ConversationRestored':
      case 'CurrentLeafSelected':
        return;
      default:
        assertNever(event);
    }
  },
};

const load = (em: EntityManager, id: string): Promise<MessageRow> => em.findOneOrFail(MessageView, id);
