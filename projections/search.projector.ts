import { assertNever } from '../src/domain/shared/assert-never.js';
import type { Projector } from './projector.js';

const TABLE = 'search_documents' as const;

/**
 * Keeps what search finds: titles, questions, and answers once they ended. A streaming answer is indexed by its end
 * event only (completed, failed or cancelled, with the text shown), never by its checkpoints, which arrive every
 * few seconds while tokens stream. Deleted conversations are filtered out when searching; purged ones leave here.
 */
export const searchProjector: Projector = {
  name: 'search',
  owns: ['search_documents'],
  async project(writes, event) {
    switch (event.type) {
      case 'ConversationCreated':
      case 'ConversationImported': {
        const { conversation_id, title } = event.data;
        await writes.insert(TABLE, {
          id: conversation_id,
          conversation_id,
          message_id: null,
          role: null,
          body: title ?? '',
        });
        return;
      }
      case 'ConversationRenamed':
        await writes.update(TABLE, event.data.conversation_id, { body: event.data.title ?? '' });
        return;
      case 'UserMessagePosted': {
        const { conversation_id, message_id, content } = event.data;
        await writes.insert(TABLE, { id: message_id, conversation_id, message_id, role: 'user', body: content });
        return;
      }
      case 'MessageImported': {
        // An import holds ended messages only: each is shown, and indexed, as it comes.
        const { conversation_id, message_id, role, content } = event.data;
        await writes.insert(TABLE, { id: message_id, conversation_id, message_id, role, body: content });
        return;
      }
      case 'MessageCompleted':
      case 'MessageFailed':
      case 'MessageCancelled': {
        const { conversation_id, message_id } = event.data;
        const body = event.type === 'MessageCompleted' ? event.data.content : event.data.partial_content;
        await writes.insert(TABLE, { id: message_id, conversation_id, message_id, role: 'assistant', body });
        return;
      }
      case 'ConversationPurged':
        await writes.delete(TABLE, 'conversation_id', event.data.conversation_id);
        return;
      case 'ProjectCreated':
      case 'ProjectUpdated':
      case 'ProjectSettingsChanged':
      case 'ProjectDeleted':
      case 'ProjectRestored':
      case 'ProjectPurged':
      case 'ConversationMoved':
      case 'ConversationMetadataChanged':
      case 'ConversationSettingsChanged':
      case 'ConversationDeleted':
      case 'ConversationRestored':
      case 'AssistantResponseStarted':
      case 'AssistantResponseProgressed':
      case 'MessageReactionChanged':
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
