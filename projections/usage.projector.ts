import { assertNever } from '../src/domain/shared/assert-never.js';
import type { Projector } from './projector.js';

const TABLE = 'usage_messages' as const;

type Timings = { prompt_n?: number; prompt_ms?: number; predicted_n?: number; predicted_ms?: number };

/** The llama.cpp timings an answer's metadata carries (an export keeps them there), numbers only. */
function timingsIn(metadata: Record<string, unknown>): Timings {
  const timings = metadata.timings;
  if (typeof timings !== 'object' || timings === null) return {};
  const numbers = Object.entries(timings).filter(([, value]) => typeof value === 'number' && Number.isFinite(value));
  return Object.fromEntries(numbers) as Timings;
}

/**
 * The facts of usage statistics, per message. Which project a conversation is in and whether it is deleted are
 * read from the conversations read model when statistics are asked for, so a move or a delete changes no row
 * here; a reaction changes its message's row; a purge deletes the conversation's rows.
 */
export const usageProjector: Projector = {
  name: 'usage',
  owns: ['usage_messages'],
  async project(writes, event) {
    switch (event.type) {
      case 'UserMessagePosted':
      case 'AssistantResponseStarted': {
        const user = event.type === 'UserMessagePosted';
        await writes.insert(TABLE, {
          id: event.data.message_id,
          conversation_id: event.data.conversation_id,
          role: user ? 'user' : 'assistant',
          status: user ? 'complete' : 'streaming',
          created_at: event.created_at,
          model_name: null,
          completion_tokens: null,
          prompt_n: null,
          prompt_ms: null,
          predicted_n: null,
          predicted_ms: null,
          completion_time_ms: null,
          reaction: null,
        });
        return;
      }
      case 'MessageImported': {
        // Counted like the answers given here, at the time they were given, with whatever the file kept of them.
        const message = event.data;
        const timings = timingsIn(message.metadata);
        await writes.insert(TABLE, {
          id: message.message_id,
          conversation_id: message.conversation_id,
          role: message.role,
          status: message.status,
          created_at: message.created_at,
          model_name: message.role === 'assistant' ? message.model_name : null,
          completion_tokens: message.role === 'assistant' ? message.token_count : null,
          prompt_n: timings.prompt_n ?? null,
          prompt_ms: timings.prompt_ms ?? null,
          predicted_n: timings.predicted_n ?? null,
          predicted_ms: timings.predicted_ms ?? null,
          completion_time_ms: message.completion_time_ms,
          reaction: message.reaction,
        });
        return;
      }
      case 'MessageCompleted': {
        const { message_id, model_name, token_count, completion_time_ms, timings } = event.data;
        await writes.update(TABLE, message_id, {
          status: 'complete',
          model_name,
          completion_tokens: token_count,
          prompt_n: timings.prompt_n ?? null,
          prompt_ms: timings.prompt_ms ?? null,
          predicted_n: timings.predicted_n ?? null,
          predicted_ms: timings.predicted_ms ?? null,
          completion_time_ms,
        });
        return;
      }
      case 'MessageFailed':
        await writes.update(TABLE, event.data.message_id, { status: 'failed' });
        return;
      case 'MessageCancelled':
        await writes.update(TABLE, event.data.message_id, { status: 'cancelled' });
        return;
      case 'MessageReactionChanged':
        await writes.update(TABLE, event.data.message_id, { reaction: event.data.reaction });
        return;
      case 'ConversationPurged':
        await writes.delete(TABLE, 'conversation_id', event.data.conversation_id);
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
      case 'AssistantResponseProgressed':
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
      case 'AnswerSourcesFound':
        return;
      default:
        assertNever(event);
    }
  },
};
