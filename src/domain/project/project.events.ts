import type { JsonObject } from '../shared/decider.js';

export type ProjectCreated = {
  type: 'ProjectCreated';
  data: { project_id: string; name: string; description: string | null; metadata: JsonObject };
};
export type ProjectUpdated = {
  type: 'ProjectUpdated';
  data: { project_id: string; name?: string; description?: string | null; metadata?: JsonObject };
};
export type ProjectDeleted = { type: 'ProjectDeleted'; data: { project_id: string } };
export type ProjectRestored = { type: 'ProjectRestored'; data: { project_id: string } };

export type ProjectEvent = ProjectCreated | ProjectUpdated | ProjectDeleted | ProjectRestored;

export const projectEventTypes = [
  'ProjectCreated',
  'ProjectUpdated',
  'ProjectDeleted',
  'ProjectRestored',
] as const satisfies readonly ProjectEvent['type'][];
