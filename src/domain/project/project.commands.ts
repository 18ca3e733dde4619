import type { JsonObject } from '../shared/decider.js';
import type { GenerationSettings, SettingsChange } from '../shared/generation-settings.js';
import type { IdTakenBy } from '../shared/id-owner.js';

export type CreateProject = {
  type: 'CreateProject';
  data: {
    project_id: string;
    name: string;
    description: string | null;
    metadata: JsonObject;
    settings: GenerationSettings;
    /** What else the id already names (a client may choose it); looked up by the command layer. */
    id_taken_by: IdTakenBy;
  };
};
export type UpdateProject = {
  type: 'UpdateProject';
  data: {
    project_id: string;
    name?: string;
    description?: string | null;
    metadata?: JsonObject;
    settings?: SettingsChange;
  };
};
export type DeleteProject = { type: 'DeleteProject'; data: { project_id: string } };
export type RestoreProject = { type: 'RestoreProject'; data: { project_id: string } };
/** Erases the project for good (its conversations are erased with it, by the application layer). */
export type PurgeProject = { type: 'PurgeProject'; data: { project_id: string } };

/**
 * Conversations imported into the project: decided on its stream before the file is read, changing nothing there,
 * refused unless the project is active (an empty file into a deleted project is refused too).
 */
export type ReceiveConversations = { type: 'ReceiveConversations'; data: { project_id: string } };

export type ProjectCommand =
  CreateProject | UpdateProject | DeleteProject | RestoreProject | PurgeProject | ReceiveConversations;
