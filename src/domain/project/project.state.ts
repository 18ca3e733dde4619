import type { JsonObject } from '../shared/decider.js';
import { assertNever } from '../shared/assert-never.js';
import { applySettings, type GenerationSettings } from '../shared/generation-settings.js';
import type { ProjectEvent } from './project.events.js';

export type ProjectState =
  | { status: 'missing' }
  /** Erased: nothing of it is known any more, and its id is never used again. */
  | { status: 'purged' }
  | {
      status: 'active' | 'deleted';
      id: string;
      name: string;
      description: string | null;
      metadata: JsonObject;
      /** The generation defaults of its conversations. */
      settings: GenerationSettings;
      created: { name: string; description: string | null; metadata: JsonObject; settings: GenerationSettings };
    };

export const initialProjectState = (): ProjectState => ({ status: 'missing' });

export function evolveProject(state: ProjectState, event: ProjectEvent): ProjectState {
  switch (event.type) {
    case 'ProjectCreated': {
      const { project_id, settings = {}, ...fields } = event.data;
      return { status: 'active', id: project_id, ...fields, settings, created: { ...fields, settings } };
    }
    case 'ProjectUpdated': {
      if (state.status === 'missing' || state.status === 'purged') return state;
      const { project_id: _id, ...changes } = event.data;
      return { ...state, ...changes };
    }
    case 'ProjectSettingsChanged':
      if (state.status === 'missing' || state.status === 'purged') return state;
      return { ...state, settings: applySettings(state.settings, event.data.settings) };
    case 'ProjectDeleted':
      return state.status === 'missing' || state.status === 'purged' ? state : { ...state, status: 'deleted' };
    case 'ProjectRestored':
      return state.status === 'missing' || state.status === 'purged' ? state : { ...state, status: 'active' };
    case 'ProjectPurged':
      return { status: 'purged' };
    default:
      return assertNever(event);
  }
}
