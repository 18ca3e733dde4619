import { assertNever } from '../src/domain/shared/assert-never.js';
import { ProjectView } from './project.entity.js';
import type { Projector } from './projector.js';

export const projectProjector: Projector = {
  name: 'project',
  owns: [ProjectView],
  async project(em, event) {
    const at = event.created_at;
    const version = event.stream_version;
    switch (event.type) {
      case 'ProjectCreated': {
        const { project_id: id, ...fields } = event.data;
        em.create(ProjectView, { id, ...fields, created_at: at, updated_at: at, deleted_at: null, version });
        return;
      }
      case 'ProjectUpdated': {
        const { project_id, ...changes } = event.data;
        const row = await em.findOneOrFail(ProjectView, project_id);
        em.assign(row, { ...changes, updated_at: at, version }, { mergeObjectProperties: false });
        return;
      }
      case 'ProjectDeleted':
      case 'ProjectRestored': {
        const row = await em.findOneOrFail(ProjectView, event.data.project_id);
        row.deleted_at = event.type === 'ProjectDeleted' ? at : null;
        row.updated_at = at;
        row.version = version;
        return;
      }
      case 'ConversationCreated':
      case 'ConversationRenamed':
      case 'ConversationMoved':
      case 'ConversationMetadataChanged':
      case 'ConversationDeleted':
      case 'ConversationRestored':
      case 'UserMessagePosted':
      case 'AssistantResponseStarted':
      case 'AssistantResponseProgressed':
      case 'MessageCompleted':
      case 'MessageFailed':
      case 'MessageCancelled':
      case 'MessageReactionChanged':
      case 'CurrentLeafSelected':
        return;
      default:
        assertNever(event);
    }
  },
};
