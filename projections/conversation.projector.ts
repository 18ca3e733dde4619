import { assertNever } from '../src/domain/shared/assert-never.js';
import { applySettings } from '../src/domain/shared/generation-settings.js';
import type { StoredEvent } from '../src/event-store/stored-event.js';
import type { Projector } from './projector.js';
import { increment, type Changes, type ReadModelWrites } from './read-model-writes.js';

export const conversationProjector: Projector = {
  name: 'conversation',
  owns: ['conversations'],
  async project(writes, event) {
    const at = event.created_at;
    switch (event.type) {
      case 'ConversationCreated': {
        const { conversation_id: id, project_id, title, metadata, settings = {} } = event.data;
        await writes.insert('conversations', {
          id,
          project_id,
          title,
          metadata,
          settings,
          created_at: at,
          updated_at: at,
          deleted_at: null,
          last_message_at: null,
          activity_at: at,
          message_count: 0,
          current_leaf_id: null,
          version: event.stream_version,
        });
        return;
      }
      case 'ConversationImported': {
        const { conversation_id: id, project_id, title, metadata, created_at, updated_at, settings = {} } = event.data;
        await writes.insert('conversations', {
          id,
          project_id,
          title,
          metadata,
          settings,
          created_at,
          updated_at,
          deleted_at: null,
          last_message_at: null,
          activity_at: created_at,
          message_count: 0,
          current_leaf_id: event.data.current_leaf_id,
          version: event.stream_version,
        });
        return;
      }
      // Messages come in creation order: the last one is the newest, as with messages posted here.
      case 'MessageImported':
        await change(writes, event, {
          last_message_at: event.data.created_at,
          activity_at: event.data.created_at,
          message_count: increment(),
        });
        return;
      case 'ConversationRenamed':
        await change(writes, event, { title: event.data.title, updated_at: at });
        return;
      case 'ConversationMoved':
        await change(writes, event, { project_id: event.data.to_project_id, updated_at: at });
        return;
      case 'ConversationMetadataChanged':
        await change(writes, event, { metadata: event.data.metadata, updated_at: at });
        return;
      case 'ConversationSettingsChanged': {
        const id = event.data.conversation_id;
        const current = await writes.row('conversations', id, ['settings']);
        await change(writes, event, { settings: applySettings(current.settings, event.data.settings), updated_at: at });
        return;
      }
      case 'ConversationDeleted':
        await change(writes, event, { deleted_at: at, updated_at: at });
        return;
      case 'ConversationRestored':
        await change(writes, event, { deleted_at: null, updated_at: at });
        return;
      case 'ConversationPurged':
        await writes.delete('conversations', 'id', event.data.conversation_id);
        return;
      case 'UserMessagePosted':
      case 'AssistantResponseStarted':
        await change(writes, event, {
          last_message_at: at,
          activity_at: at,
          updated_at: at,
          current_leaf_id: event.data.message_id,
          message_count: increment(),
        });
        return;
      case 'CurrentLeafSelected':
        await change(writes, event, { current_leaf_id: event.data.message_id, updated_at: at });
        return;
      case 'AssistantResponseProgressed':
      case 'AnswerSourcesFound':
      case 'MessageCompleted':
      case 'MessageFailed':
      case 'MessageCancelled':
      case 'MessageReactionChanged':
        await change(writes, event, {});
        return;
      case 'ProjectCreated':
      case 'ProjectUpdated':
      case 'ProjectSettingsChanged':
      case 'ProjectDeleted':
      case 'ProjectRestored':
      case 'ProjectPurged':
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

/** Every event of the stream moves the row's version, which the ETag is made of. */
async function change(
  writes: ReadModelWrites,
  event: StoredEvent & { data: { conversation_id: string } },
  fields: Changes<'conversations'>,
): Promise<void> {
  await writes.update('conversations', event.data.conversation_id, { ...fields, version: event.stream_version });
}
