import type { JsonObject } from '../shared/decider.js';

export type CreateProject = {
  type: 'CreateProject';
  data: { project_id: string; name: string; description: string | null; metadata: JsonObject };
};
export type UpdateProject = {
  type: 'UpdateProject';
  data: { project_id: string; name?: string; description?: string | null; metadata?: JsonObject };
};
export type DeleteProject = { type: 'DeleteProject'; data: { project_id: string } };
export type RestoreProject = { type: 'RestoreProject'; data: { project_id: string } };
/** Erases the project for good (its conversations are erased with it, by the application layer). */
export type PurgeProject = { type: 'PurgeProject'; data: { project_id: string } };

export type ProjectCommand = CreateProject | UpdateProject | DeleteProject | RestoreProject | PurgeProject;
