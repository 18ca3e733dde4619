import { assertNever } from '../src/domain/shared/assert-never.js';
import { applySettings } from '../src/domain/shared/generation-settings.js';
import type { Projector } from './projector.js';

export const projectProjector: Projector = {
  name: 'project',
  owns: ['projects'],
  async project(writes, event) {
    const at = event.created_at;
    const version = event.stream_version;
    switch (event.type) {
      case 'ProjectCreated': {
        const { project_id: id, name, description, metadata, settings = {} } = event.data;
        await writes.insert('projects', {
          id,
          name,
          description,
          metadata,
          settings,
          created_at: at,
          updated_at: at,
          deleted_at: null,
          version,
        });
        return;
      }
      case 'ProjectUpdated': {
        const { project_id, name, description, metadata } = event.data;
        await writes.update('projects', project_id, {
          ...(name === undefined ? {} : { name }),
          ...(description === undefined ? {} : { description }),
          ...(metadata === undefined ? {} : { metadata }),
          updated_at: at,
          version,
        });
        return;
      }
      case 'ProjectSettingsChanged': {
        const { project_id, settings } = event.data;
        const current = await writes.row('projects', project_id, ['settings']);
        await writes.update('projects', project_id, {
          settings: applySettings(current.settings, settings),
          updated_at: at,
          version,
        });
        return;
      }
      case 'ProjectDeleted':
      case 'ProjectRestored':
        await writes.update('projects', event.data.project_id, {
          deleted_at: event.type === 'ProjectDeleted' ? at : null,
          updated_at: at,
          version,
        });
        return;
      case 'ProjectPurged':
        await writes.delete('projects', 'id', event.data.project_id);
        return;
      case 'ConversationCreated':
      case 'ConversationRenamed':
      case 'ConversationMoved':
      case 'ConversationMetadataChanged':
      case 'ConversationSettingsChanged':
      case 'ConversationDeleted':
      case 'ConversationRestored':
      case 'ConversationPurged':
      case 'UserMessagePosted':
      case 'AssistantResponseStarted':
      case 'AssistantResponseProgressed':
      case 'MessageCompleted':
      case 'MessageFailed':
      case 'MessageCancelled':
      case 'MessageReactionChanged':
      case 'CurrentLeafSelected':
      case 'ConversationImported':
      case 'MessageImported':
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
