import { assertNever } from '../shared/assert-never.js';
import { conflict, invalidField, notFound } from '../shared/domain-error.js';
import { changedSettings, settingsIfAny } from '../shared/generation-settings.js';
import { sameJson } from '../shared/same-json.js';
import type { ProjectCommand } from './project.commands.js';
import type { ProjectEvent } from './project.events.js';
import type { ProjectState } from './project.state.js';

export function decideProject(command: ProjectCommand, state: ProjectState): ProjectEvent[] {
  switch (command.type) {
    case 'CreateProject': {
      const { project_id, id_taken_by, ...asked } = command.data;
      if (state.status === 'missing') {
        if (id_taken_by !== null) throw conflict(`Id ${project_id} already belongs to a ${id_taken_by}`);
        const { settings, ...fields } = asked;
        return [{ type: 'ProjectCreated', data: { project_id, ...fields, ...settingsIfAny(settings) } }];
      }
      if (state.status === 'purged') throw conflict(`Project ${project_id} was purged; its id is not reused`);
      // A retried create with the same id and body is answered with what exists.
      if (sameJson(asked, state.created)) return [];
      throw conflict(`Project ${project_id} already exists with a different body`);
    }
    case 'UpdateProject': {
      const current = requireActive(state, command.data.project_id);
      const { project_id, settings = {}, ...changes } = command.data;
      const changed = Object.fromEntries(
        Object.entries(changes).filter(
          ([key, value]) => value !== undefined && !sameJson(value, current[key as keyof typeof changes]),
        ),
      );
      const settingsChanged = changedSettings(current.settings, settings);
      return [
        ...(Object.keys(changed).length === 0
          ? []
          : [{ type: 'ProjectUpdated' as const, data: { project_id, ...changed } }]),
        ...(Object.keys(settingsChanged).length === 0
          ? []
          : [{ type: 'ProjectSettingsChanged' as const, data: { project_id, settings: settingsChanged } }]),
      ];
    }
    case 'DeleteProject':
      return requireExisting(state, command.data.project_id).status === 'deleted'
        ? []
        : [{ type: 'ProjectDeleted', data: command.data }];
    case 'RestoreProject':
      return requireExisting(state, command.data.project_id).status === 'active'
        ? []
        : [{ type: 'ProjectRestored', data: command.data }];
    case 'PurgeProject':
      requireExisting(state, command.data.project_id);
      return [{ type: 'ProjectPurged', data: command.data }];
    case 'ReceiveConversations':
      if (state.status !== 'active') {
        const message = `names no project, or a deleted one: ${command.data.project_id}`;
        throw invalidField({ in: 'query', pointer: '/project_id', message });
      }
      return [];
    default:
      return assertNever(command);
  }
}

function requireExisting(state: ProjectState, id: string) {
  if (state.status === 'missing' || state.status === 'purged') throw notFound(`Project ${id} not found`);
  return state;
}

function requireActive(state: ProjectState, id: string) {
  if (state.status !== 'active') throw notFound(`Project ${id} not found`);
  return state;
}
