import { assertNever } from '../shared/assert-never.js';
import { conflict, notFound } from '../shared/domain-error.js';
import { sameJson } from '../shared/same-json.js';
import type { ProjectCommand } from './project.commands.js';
import type { ProjectEvent } from './project.events.js';
import type { ProjectState } from './project.state.js';

export function decideProject(command: ProjectCommand, state: ProjectState): ProjectEvent[] {
  switch (command.type) {
    case 'CreateProject': {
      if (state.status === 'missing') return [{ type: 'ProjectCreated', data: command.data }];
      if (state.status === 'purged')
        throw conflict(`Project ${command.data.project_id} was purged; its id is not reused`);
      // A retried create with the same id and body is answered with what exists.
      const { project_id: _id, ...asked } = command.data;
      if (sameJson(asked, state.created)) return [];
      throw conflict(`Project ${command.data.project_id} already exists with a different body`);
    }
    case 'UpdateProject': {
      const current = requireActive(state, command.data.project_id);
      const { project_id, ...changes } = command.data;
      const changed = Object.fromEntries(
        Object.entries(changes).filter(
          ([key, value]) => value !== undefined && !sameJson(value, current[key as keyof typeof changes]),
        ),
      );
      if (Object.keys(changed).length === 0) return [];
      return [{ type: 'ProjectUpdated', data: { project_id, ...changed } }];
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
