import type { JsonObject } from '../shared/decider.js';
import type { GenerationSettings, SettingsChange } from '../shared/generation-settings.js';

/** `settings` is there only when some were set at creation (and in no event recorded before settings were). */
export type ProjectCreated = {
  type: 'ProjectCreated';
  data: {
    project_id: string;
    name: string;
    description: string | null;
    metadata: JsonObject;
    settings?: GenerationSettings;
  };
};
export type ProjectUpdated = {
  type: 'ProjectUpdated';
  data: { project_id: string; name?: string; description?: string | null; metadata?: JsonObject };
};
/** The generation defaults that changed: a value set, or null for one cleared. */
export type ProjectSettingsChanged = {
  type: 'ProjectSettingsChanged';
  data: { project_id: string; settings: SettingsChange };
};
export type ProjectDeleted = { type: 'ProjectDeleted'; data: { project_id: string } };
export type ProjectRestored = { type: 'ProjectRestored'; data: { project_id: string } };
/** The tombstone of a permanently deleted project: the only event its stream keeps, carrying no content. */
export type ProjectPurged = { type: 'ProjectPurged'; data: { project_id: string } };

export type ProjectEvent =
  ProjectCreated | ProjectUpdated | ProjectSettingsChanged | ProjectDeleted | ProjectRestored | ProjectPurged;

export const projectEventTypes = [
  'ProjectCreated',
  'ProjectUpdated',
  'ProjectSettingsChanged',
  'ProjectDeleted',
  'ProjectRestored',
  'ProjectPurged',
] as const satisfies readonly ProjectEvent['type'][];

/** Compiles only while the list names every event of the union. */
export const everyProjectEventListed: Exclude<ProjectEvent['type'], (typeof projectEventTypes)[number]> extends never
  ? true
  : never = true;
